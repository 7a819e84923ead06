import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** The construct of a stack that exists once, under the stack with this id: found, or made with the stack's first user. */
export function stackSingleton<T extends Construct>(scope: Construct, id: string, make: (stack: Stack, id: string) => T): T {
  const stack = Stack.of(scope);
  return (stack.node.tryFindChild(id) as T | undefined) ?? make(stack, id);
}
