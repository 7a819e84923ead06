/**
 * ARNs, parsed in one place: every part of the library that needs a part of an
 * ARN (the constructs, the handlers, the CLI) asks this module, as aws-cdk's
 * `Arn.split` serves its constructs. Pure: no aws-cdk-lib, no AWS SDK.
 */

/** The parts of an ARN: `arn:partition:service:region:account:resource`. */
export interface ArnParts {
  readonly partition: string;
  readonly service: string;
  /** Empty for a global service (IAM). */
  readonly region: string;
  /** Empty where the ARN names none (an AWS managed resource). */
  readonly account: string;
  /** Everything after the account: `table/orders`, `backup-vault:name`, `recovery-point:ID`. */
  readonly resource: string;
}

/** AWS's partitions, a service, a Region (empty for a global service), an account (empty for some), the resource. */
const ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-[a-z]|aws-eusc):([a-z0-9-]+):([a-z0-9-]*):(\d{12})?:(.+)$/;

/** The parts of an ARN; undefined for a string that is not one. */
export function parseArn(arn: string): ArnParts | undefined {
  const m = ARN.exec(arn);
  if (!m) return undefined;
  const [, partition, service, region, account, resource] = m;
  return { partition, service, region, account: account ?? '', resource };
}

/** BackupVaultName in the AWS Backup API model. */
const VAULT_NAME = '[a-zA-Z0-9\\-_]{2,50}';
/** A backup vault's name, as the AWS Backup API model allows it. */
export const VAULT_NAME_PATTERN = new RegExp(`^${VAULT_NAME}$`);
const VAULT_RESOURCE = new RegExp(`^backup-vault:(${VAULT_NAME})$`);

/** The parts of a backup vault's ARN; undefined for a string that is not one. */
export function parseVaultArn(arn: string): { partition: string; region: string; account: string; name: string } | undefined {
  const parts = parseArn(arn);
  const name = parts?.service === 'backup' && parts.region && parts.account ? VAULT_RESOURCE.exec(parts.resource)?.[1] : undefined;
  return name === undefined ? undefined : { partition: parts!.partition, region: parts!.region, account: parts!.account, name };
}

/** A backup vault's ARN, from its parts. */
export function formatVaultArn(vault: { partition: string; region: string; account: string; name: string }): string {
  return `arn:${vault.partition}:backup:${vault.region}:${vault.account}:backup-vault:${vault.name}`;
}

/** The name of the DynamoDB table an ARN names (a table's, not one of its backups'); undefined for any other ARN. */
export function tableNameOfArn(arn: string): string | undefined {
  const parts = parseArn(arn);
  return parts?.service === 'dynamodb' ? /^table\/([^/]+)$/.exec(parts.resource)?.[1] : undefined;
}

/** Whether a string is a backup vault's ARN. */
export function isVaultArn(arn: string): boolean {
  return parseVaultArn(arn) !== undefined;
}
