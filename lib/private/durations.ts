/**
 * Lengths in AWS Backup's units, from the constructs' `Duration`s, converted
 * once each; and values known at synth (a token is never validated as a value).
 */
import { Duration, Lazy, Token } from 'aws-cdk-lib';

/** A duration in a unit; a token duration must be given in that unit (else the problem is recorded in `errors`). */
export function inUnit(duration: Duration | undefined, unit: 'days' | 'minutes' | 'seconds', name: string, errors: string[]): number | undefined {
  if (duration === undefined) return undefined;
  try {
    switch (unit) {
      case 'days': return duration.toDays({ integral: false });
      case 'minutes': return duration.toMinutes({ integral: false });
      case 'seconds': return duration.toSeconds({ integral: false });
    }
  } catch {
    errors.push(`${name} is a token that cannot be converted to whole ${unit}; build it with Duration.${unit}(...)`);
    return undefined;
  }
}

/** A value known at synth, or undefined for a token (tokens are never validated as values). */
export function known<T>(value: T | undefined): T | undefined {
  return value === undefined || Token.isUnresolved(value) ? undefined : value;
}

/** The entries of a map known at synth (keys and values that are not tokens). */
export function knownMap(map: Record<string, string> | undefined): Record<string, string> | undefined {
  if (map === undefined) return undefined;
  return Object.fromEntries(Object.entries(map).filter(([k, v]) => !Token.isUnresolved(k) && !Token.isUnresolved(v)));
}

/**
 * A value of type T decided at synth (after every aspect ran), as a token of
 * that type, the way `Token.asString` types a string token.
 */
export function atSynth<T>(produce: () => T | undefined): T {
  return Lazy.any({ produce }) as unknown as T;
}
