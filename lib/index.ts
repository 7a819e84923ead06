/**
 * cdk-backup-jobs: AWS Backup jobs taken (and copies and restores run) during `cdk deploy`.
 *
 * The public API is the constructs, their props and what a composer needs to
 * name a resource or a recovery point; the provider, its grants, the name
 * patterns and the rule tables are internal (`private/`, `core/`).
 */
export * from './backup-before-removal';
export * from './backup-job';
export * from './backup-settings';
export * from './copy-job';
export * from './protected-resource';
export * from './recovery-point';
export * from './restore-job';
export * from './scan-job';
