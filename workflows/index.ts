/**
 * Every workflow of the product (replay tests and the bundle check read this). Each task queue's
 * worker bundles only its own entry in queues/. Deterministic code only (see eslint.config.mjs).
 */
export * from './queues/campaigns';
export * from './queues/conversations';
export * from './queues/webhooks';
