/** A date as a Kubernetes `MicroTime` (RFC 3339 with six fractional digits, UTC): `2024-05-01T10:00:00.123000Z`. */
export function microTime(date: Date = new Date()): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}
