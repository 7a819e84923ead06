import { App, Size, Stack, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ProtectedResource } from '../lib';

describe('ProtectedResource.fromArn with a literal ARN', () => {
  test.each([
    ['arn:aws:dynamodb:eu-west-1:123456789012:table/Orders', 'DynamoDB'],
    ['arn:aws:rds:eu-west-1:123456789012:db:orders-db', 'RDS'],
    ['arn:aws:rds:eu-west-1:123456789012:cluster:orders-cluster', 'Aurora'],
    ['arn:aws:elasticfilesystem:eu-west-1:123456789012:file-system/fs-0123abcd', 'EFS'],
    ['arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0', 'EC2'],
    ['arn:aws:ec2:eu-west-1:123456789012:volume/vol-0123456789abcdef0', 'EBS'],
    ['arn:aws:s3:::my-bucket', 'S3'],
    ['arn:aws:fsx:eu-west-1:123456789012:file-system/fs-0123456789abcdef0', 'FSx'],
    ['arn:aws:redshift:eu-west-1:123456789012:cluster:analytics', 'Redshift'],
    ['arn:aws:timestream:eu-west-1:123456789012:database/db/table/events', 'Timestream'],
    ['arn:aws:cloudformation:eu-west-1:123456789012:stack/App/1b2c3d4e-0000-0000-0000-000000000000', 'CloudFormation'],
    ['arn:aws-cn:dynamodb:cn-north-1:123456789012:table/Orders', 'DynamoDB'],
  ])('%s is %s', (arn, type) => {
    const resource = ProtectedResource.fromArn(arn);
    expect(resource.resourceArn).toBe(arn);
    expect(resource.resourceType).toBe(type);
  });

  test.each([
    ['arn:aws:lambda:eu-west-1:123456789012:function:migrate', /names a lambda resource, which AWS Backup cannot back up \(supported: Aurora,/],
    ['arn:aws:s3:::my-bucket/some/key', /names the s3 resource "my-bucket\/some\/key", which is not one AWS Backup backs up \(expected <bucket> \(a bucket, not an object\)\)/],
    ['arn:aws:dynamodb:eu-west-1:123456789012:table/Orders/stream/2024', /which is not one AWS Backup backs up \(expected table\/<name of 3 to 255 characters>\)/],
    ['arn:aws:dynamodb:eu-west-1:123456789012:table/T', /"table\/T", which is not one AWS Backup backs up/],
    ['not-an-arn', /is not an ARN/],
  ])('%s is rejected', (arn, message) => {
    expect(() => ProtectedResource.fromArn(arn)).toThrow(message);
  });

  test('the error names the property and the value', () => {
    expect(() => ProtectedResource.fromArn('arn:aws:sqs:eu-west-1:123456789012:queue')).toThrow(
      'ProtectedResource.fromArn: resourceArn ("arn:aws:sqs:eu-west-1:123456789012:queue") names a sqs resource',
    );
  });

  test('an rds cluster ARN can be a DocumentDB, Neptune or Multi-AZ RDS cluster', () => {
    const arn = 'arn:aws:rds:eu-west-1:123456789012:cluster:docs';
    expect(ProtectedResource.fromArn(arn, 'DocumentDB').resourceType).toBe('DocumentDB');
    expect(ProtectedResource.fromArn(arn, 'Neptune').resourceType).toBe('Neptune');
    expect(() => ProtectedResource.fromArn(arn, 'DynamoDB')).toThrow(
      'resourceType ("DynamoDB") does not match resourceArn ("arn:aws:rds:eu-west-1:123456789012:cluster:docs"), which is Aurora or DocumentDB or Neptune or RDS',
    );
  });

  test('an unknown resource type is rejected', () => {
    expect(() => ProtectedResource.fromArn('arn:aws:s3:::b', 'Bucket')).toThrow(/resourceType \("Bucket"\) is not a resource type AWS Backup backs up/);
  });
});

describe('ProtectedResource.fromArn with a token ARN', () => {
  test('needs the resource type', () => {
    expect(() => ProtectedResource.fromArn(Token.asString({ Ref: 'TableArn' }))).toThrow(/resourceType is required when resourceArn is a token/);
  });

  test('keeps the token and the given type', () => {
    const arn = Token.asString({ Ref: 'TableArn' });
    const resource = ProtectedResource.fromArn(arn, 'DynamoDB');
    expect(resource.resourceArn).toBe(arn);
    expect(resource.resourceType).toBe('DynamoDB');
  });
});

describe('ProtectedResource factories', () => {
  const stack = new Stack(new App(), 'Stack', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0 });

  test('a DynamoDB table', () => {
    const table = new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    const r = ProtectedResource.fromDynamoDbTable(table);
    expect(r.resourceType).toBe('DynamoDB');
    expect(stack.resolve(r.resourceArn)).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(table.node.defaultChild as dynamodb.CfnTable), 'Arn'] });
  });

  test('an RDS instance and an Aurora cluster', () => {
    const instance = rds.DatabaseInstance.fromDatabaseInstanceAttributes(stack, 'Db', {
      instanceIdentifier: 'orders', instanceEndpointAddress: 'x', port: 5432, securityGroups: [],
    });
    expect(ProtectedResource.fromRdsDatabaseInstance(instance).resourceType).toBe('RDS');
    expect(stack.resolve(ProtectedResource.fromRdsDatabaseInstance(instance).resourceArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds:eu-west-1:123456789012:db:orders']],
    });
    const cluster = rds.DatabaseCluster.fromDatabaseClusterAttributes(stack, 'Cluster', { clusterIdentifier: 'orders-cluster' });
    expect(ProtectedResource.fromRdsDatabaseCluster(cluster).resourceType).toBe('Aurora');
  });

  test('an EFS file system, an EC2 instance, an EBS volume and an S3 bucket', () => {
    const fileSystem = new efs.FileSystem(stack, 'Fs', { vpc });
    expect(ProtectedResource.fromEfsFileSystem(fileSystem).resourceType).toBe('EFS');

    const instance = new ec2.Instance(stack, 'Instance', {
      vpc,
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO),
      machineImage: ec2.MachineImage.genericLinux({ 'eu-west-1': 'ami-12345678' }),
    });
    const fromInstance = ProtectedResource.fromEc2Instance(instance);
    expect(fromInstance.resourceType).toBe('EC2');
    expect(stack.resolve(fromInstance.resourceArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:eu-west-1:123456789012:instance/', { Ref: stack.getLogicalId(instance.node.defaultChild as ec2.CfnInstance) }]],
    });

    const volume = new ec2.Volume(stack, 'Volume', { availabilityZone: 'eu-west-1a', size: Size.gibibytes(8) });
    const fromVolume = ProtectedResource.fromEbsVolume(volume);
    expect(fromVolume.resourceType).toBe('EBS');
    expect(JSON.stringify(stack.resolve(fromVolume.resourceArn))).toContain(':ec2:eu-west-1:123456789012:volume/');

    const bucket = new s3.Bucket(stack, 'Bucket', { versioned: true });
    expect(ProtectedResource.fromS3Bucket(bucket).resourceType).toBe('S3');
  });
});

