export * from './backup-job';
export * from './protected-resource';
export * from './provider';
export * from './recovery-point';
export * from './resource-types';
export * from './restore-job';
export * from './validation';
