/**
 * aws-local-stepfunctions, a local Amazon States Language interpreter, loaded
 * once for the simulation and the tests. Version 3 needs Promise.withResolvers
 * (Node.js 22); on Node.js 20 this module puts in a stand-in for it first.
 */
if (!(Promise as { withResolvers?: unknown }).withResolvers) {
  Object.assign(Promise, {
    withResolvers<T>() {
      let resolve!: (value: T) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
      return { promise, resolve, reject };
    },
  });
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const { StateMachine: Interpreter } = require('aws-local-stepfunctions') as typeof import('aws-local-stepfunctions');
