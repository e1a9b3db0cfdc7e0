/**
 * Where an export too large for an API response goes: a file the coordinator downloads from a
 * short-lived link (a local file served by `npm start`; in AWS, an object in the exports bucket).
 */
export interface ExportFiles {
  put(name: string, body: string, now: Date): Promise<{ url: string; expiresAt: string }>;
}
