import { Stack, Token } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as efs from 'aws-cdk-lib/aws-efs';
import type * as rds from 'aws-cdk-lib/aws-rds';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { RESOURCE_TYPE_NAMES, resourceTypeFromArn, resourceTypeInfo } from './core/resource-types';

/**
 * A resource that AWS Backup can back up: its ARN and its AWS Backup resource type.
 *
 * The type is always known at synth, even when the ARN is a token, so that the
 * rules that depend on it (cold storage, indexes, Windows VSS) run at synth.
 *
 * @see https://docs.aws.amazon.com/aws-backup/latest/devguide/whatisbackup.html#supported-resources
 */
export class ProtectedResource {
  /**
   * A resource given by its ARN.
   *
   * With a literal ARN the type is read from it, and an ARN that AWS Backup cannot
   * back up is rejected. With a token ARN, `resourceType` is required.
   *
   * @param resourceArn the resource's ARN
   * @param resourceType AWS Backup's name of the type (`DynamoDB`, `RDS`, `Aurora`, `EFS`, `EC2`,
   *   `EBS`, `S3`, ...); needed when the ARN is a token, or to tell DocumentDB, Neptune
   *   and Multi-AZ RDS clusters from Aurora ones.
   * @default - read from the ARN
   */
  public static fromArn(resourceArn: string, resourceType?: string): ProtectedResource {
    if (resourceType !== undefined && !resourceTypeInfo(resourceType)) {
      throw new Error(`ProtectedResource.fromArn: resourceType ("${resourceType}") is not a resource type AWS Backup backs up (supported: ${RESOURCE_TYPE_NAMES.join(', ')})`);
    }
    if (Token.isUnresolved(resourceArn)) {
      if (resourceType === undefined) {
        throw new Error('ProtectedResource.fromArn: resourceType is required when resourceArn is a token, because the type decides which settings and permissions apply at synth');
      }
      return new ProtectedResource(resourceArn, resourceType);
    }
    const read = resourceTypeFromArn(resourceArn);
    if ('error' in read) {
      throw new Error(`ProtectedResource.fromArn: resourceArn ("${resourceArn}") ${read.error}`);
    }
    if (resourceType !== undefined && resourceType !== read.resourceType && !read.alternatives.includes(resourceType)) {
      const allowed = [read.resourceType, ...read.alternatives].join(' or ');
      throw new Error(`ProtectedResource.fromArn: resourceType ("${resourceType}") does not match resourceArn ("${resourceArn}"), which is ${allowed}`);
    }
    const type = resourceType ?? read.resourceType;
    return new ProtectedResource(resourceArn, type, type === 'DynamoDB' ? resourceArn.split('/')[1] : undefined);
  }

  /** A DynamoDB table. */
  public static fromDynamoDbTable(table: dynamodb.ITable): ProtectedResource {
    return new ProtectedResource(table.tableArn, 'DynamoDB', table.tableName);
  }

  /** An RDS database instance. */
  public static fromRdsDatabaseInstance(instance: rds.IDatabaseInstance): ProtectedResource {
    return new ProtectedResource(instance.instanceArn, 'RDS');
  }

  /** An Aurora database cluster. */
  public static fromRdsDatabaseCluster(cluster: rds.IDatabaseCluster): ProtectedResource {
    return new ProtectedResource(cluster.clusterArn, 'Aurora');
  }

  /** An EFS file system. */
  public static fromEfsFileSystem(fileSystem: efs.IFileSystem): ProtectedResource {
    return new ProtectedResource(fileSystem.fileSystemArn, 'EFS');
  }

  /** An EC2 instance (an AMI of the instance and its volumes). */
  public static fromEc2Instance(instance: ec2.IInstance): ProtectedResource {
    const arn = Stack.of(instance).formatArn({ service: 'ec2', resource: 'instance', resourceName: instance.instanceId });
    return new ProtectedResource(arn, 'EC2');
  }

  /** An EBS volume. */
  public static fromEbsVolume(volume: ec2.IVolume): ProtectedResource {
    const arn = Stack.of(volume).formatArn({ service: 'ec2', resource: 'volume', resourceName: volume.volumeId });
    return new ProtectedResource(arn, 'EBS');
  }

  /** An S3 bucket (needs versioning on the bucket, as AWS Backup requires). */
  public static fromS3Bucket(bucket: s3.IBucket): ProtectedResource {
    return new ProtectedResource(bucket.bucketArn, 'S3');
  }

  private constructor(
    /** The ARN of the resource to back up. */
    public readonly resourceArn: string,
    /** AWS Backup's name of the resource type, e.g. `DynamoDB`. */
    public readonly resourceType: string,
    /** The resource's name where it matters (a DynamoDB table's), to keep a restore from targeting it. */
    public readonly resourceName?: string,
  ) {}
}
