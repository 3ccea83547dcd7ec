/**
 * AWS error classification for the planner, by error `name` only (CONVENTIONS 15): local servers word
 * their messages differently, and AWS changes wording.
 */
export function awsErrorName(e: unknown): string {
  if (typeof e === 'object' && e !== null && typeof (e as { name?: unknown }).name === 'string') return (e as { name: string }).name;
  return '';
}

export const isNotFound = (e: unknown) => ['ResourceNotFoundException', 'TableNotFoundException'].includes(awsErrorName(e));
export const isInUse = (e: unknown) => awsErrorName(e) === 'ResourceInUseException';
export const isAccessDenied = (e: unknown) => ['AccessDeniedException', 'AccessDenied'].includes(awsErrorName(e));

/** The endpoint does not implement the operation (dynalite, some emulators). */
export function isUnsupportedOperation(e: unknown): boolean {
  const name = awsErrorName(e);
  if (['UnknownOperationException', 'NotImplementedException', 'NotImplemented', 'InvalidAction'].includes(name)) return true;
  return (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 501;
}

/** PITR is briefly unavailable on a table that was just created. */
export const isContinuousBackupsUnavailable = (e: unknown) => awsErrorName(e) === 'ContinuousBackupsUnavailableException';
