/**
 * The part of DynamoDB the stand-in plays: the tables the tests and the
 * simulation create and those restores create, DeleteTable (a restore's
 * clean-up, and CloudFormation deleting a stack's table), UpdateTable and
 * DescribeTable (a removal guard's deletion protection), with DynamoDB's own
 * refusals.
 */
import type { BackupAccount } from './account';
import type { ServedOperations } from './authorization';
import { ServiceError } from './errors';

/** What DynamoDB asks of AWS Backup: whether a table is being backed up, and how a restore that creates one stands. */
export interface TableJobs {
  beingBackedUp(tableArn: string): boolean;
  restoreStatus(restoreJobId: string): string | undefined;
}

export class DynamoDbTables {
  /** DynamoDB tables: those the test or the simulation created, and those restores create. */
  private readonly tables = new Map<string, { restoreJobId?: string; deletionProtection?: boolean; createdAt: number }>();
  /** Deleted tables, and when. */
  private readonly deletedTables = new Map<string, number>();

  /** DynamoDB's operations, each authorized on the table. */
  public readonly operations: ServedOperations = {
    'dynamodb:DeleteTable': { serve: (input) => this.DeleteTable(input), iam: (input) => this.onTable('dynamodb:DeleteTable', input) },
    'dynamodb:UpdateTable': { serve: (input) => this.UpdateTable(input), iam: (input) => this.onTable('dynamodb:UpdateTable', input) },
    'dynamodb:DescribeTable': { serve: (input) => this.DescribeTable(input), iam: (input) => this.onTable('dynamodb:DescribeTable', input) },
  };

  constructor(private readonly home: BackupAccount, private readonly jobs: TableJobs) {}

  /** A DynamoDB table that exists (e.g. the one the stack created), with deletion protection or not. */
  public createTable(name: string, options: { deletionProtection?: boolean } = {}): void {
    this.tables.set(name, { deletionProtection: options.deletionProtection, createdAt: this.home.now() });
    this.deletedTables.delete(name);
  }

  /** A table a restore creates (CREATING until the restore completed). */
  public restoring(name: string, restoreJobId: string): void {
    this.tables.set(name, { restoreJobId, createdAt: this.home.now() });
    this.deletedTables.delete(name);
  }

  /** The names of every table the stand-in knows (deleted ones too). */
  public tableNames(): string[] {
    return [...this.tables.keys()];
  }

  /** When a table was deleted, if it was. */
  public tableDeletedAt(name: string): number | undefined {
    return this.deletedTables.get(name);
  }

  /** Whether a table was deleted (as the stand-in saw it). */
  public tableDeleted(name: string): boolean {
    return this.deletedTables.has(name);
  }

  /** ACTIVE, CREATING (a restore writes it), or undefined when there is no such table. */
  public tableStatus(name: string): 'ACTIVE' | 'CREATING' | undefined {
    const table = this.tables.get(name);
    if (!table || this.deletedTables.has(name)) return undefined;
    if (!table.restoreJobId) return 'ACTIVE';
    const status = this.jobs.restoreStatus(table.restoreJobId);
    if (status === 'COMPLETED') return 'ACTIVE';
    return status === 'PENDING' || status === 'RUNNING' ? 'CREATING' : undefined;
  }

  /**
   * DynamoDB's DeleteTable. As DynamoDB documents it: a table protected against
   * deletion is not deleted, nor one whose backup is in progress.
   */
  public DeleteTable(input: Record<string, any>): Record<string, unknown> {
    const name = input.TableName as string;
    const status = this.tableStatus(name);
    if (!status) throw notFound(name);
    if (status === 'CREATING') throw new ServiceError('ResourceInUseException', `Attempt to change a resource which is still in use: Table is being created: ${name}`);
    if (this.tables.get(name)?.deletionProtection) {
      throw new ServiceError('ValidationException', 'Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.');
    }
    if (this.jobs.beingBackedUp(this.tableArn(name))) {
      throw new ServiceError('ResourceInUseException', `Attempt to change a resource which is still in use: Table is being backed up: ${name}`);
    }
    this.deletedTables.set(name, this.home.now());
    return { TableDescription: { TableName: name, TableStatus: 'DELETING', TableArn: this.tableArn(name) } };
  }

  /** DynamoDB's UpdateTable, as far as deletion protection goes (what a guard turns on). */
  public UpdateTable(input: Record<string, any>): Record<string, unknown> {
    const name = input.TableName as string;
    if (!this.tableStatus(name)) throw notFound(name);
    if (typeof input.DeletionProtectionEnabled === 'boolean') this.tables.get(name)!.deletionProtection = input.DeletionProtectionEnabled;
    return { TableDescription: { TableName: name, TableStatus: 'ACTIVE', TableArn: this.tableArn(name), DeletionProtectionEnabled: !!this.tables.get(name)!.deletionProtection } };
  }

  /** DynamoDB's DescribeTable: the table's status, when it was created, and its deletion protection. */
  public DescribeTable(input: Record<string, any>): Record<string, unknown> {
    const name = input.TableName as string;
    const status = this.tableStatus(name);
    if (!status) throw notFound(name);
    const table = this.tables.get(name)!;
    // CreationDateTime in epoch seconds, as DynamoDB's JSON protocol sends it.
    return { Table: { TableName: name, TableStatus: status, TableArn: this.tableArn(name), CreationDateTime: table.createdAt / 1000, DeletionProtectionEnabled: !!table.deletionProtection } };
  }

  private onTable(action: string, input: Record<string, any>) {
    return [{ action, resource: this.tableArn(String(input.TableName)) }];
  }

  private tableArn(name: string): string {
    return `arn:aws:dynamodb:${this.home.region}:${this.home.account}:table/${name}`;
  }
}

function notFound(name: string): ServiceError {
  return new ServiceError('ResourceNotFoundException', `Requested resource not found: Table: ${name} not found`);
}
