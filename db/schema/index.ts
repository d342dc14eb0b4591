export * from './users';
export * from './keys';
