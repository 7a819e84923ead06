export * from './backup-job';
export * from './protected-resource';
export * from './provider';
export * from './resource-types';
export * from './validation';
