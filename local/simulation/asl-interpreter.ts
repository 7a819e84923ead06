/**
 * aws-local-stepfunctions, a local Amazon States Language interpreter, loaded
 * once for the simulation and the tests.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const { StateMachine: Interpreter } = require('aws-local-stepfunctions') as typeof import('aws-local-stepfunctions');
