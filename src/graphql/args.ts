import { AppError, ErrorCode } from '../errors.js';

/** Bounds on arguments, checked in resolvers so every violation is a BAD_USER_INPUT naming the argument. */
export const MAX_PAGE = 100;

export function checkInt(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new AppError(ErrorCode.BAD_USER_INPUT, `${name} must be an integer from ${min} to ${max}`, {
      argument: name,
      min,
      max,
    });
  }
  return value;
}

export function checkScore(name: string, value: number | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (!Number.isFinite(value) || value < -1 || value > 1) {
    throw new AppError(ErrorCode.BAD_USER_INPUT, `${name} must be a number from -1 to 1`, { argument: name });
  }
  return value;
}

export function checkId(value: string): string {
  if (!/^[0-9a-f]{64}$/.test(value)) {
    throw new AppError(ErrorCode.BAD_USER_INPUT, 'id must be a 64-character hex sha256', { argument: 'id' });
  }
  return value;
}
