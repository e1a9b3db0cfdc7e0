// An export too large for an API response, in AWS: an object in the exports bucket (encrypted, no
// public access, deleted by a lifecycle rule after a day) and a presigned GET link that expires soon.
import { randomUUID } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { DependencyError } from '#lib/errors.ts';
import type { ExportFiles } from '#lib/ports/export-files.ts';
import type { AwsAccess } from '#lib/store/iam-actions.ts';

/** Where export objects go in the bucket (the functions may write and read only there). */
export const EXPORT_PREFIX = 'exports/';

export class S3ExportFiles implements ExportFiles {
  /** Every S3 action this class sends; the presigned link is signed for GetObject. */
  static readonly awsAccess: AwsAccess = { exportBucket: ['s3:GetObject', 's3:PutObject'] };

  #client: S3Client | undefined;
  readonly #region: string;
  readonly #bucket: string;
  readonly #linkSeconds: number;

  constructor(opts: { bucket: string; region: string; linkSeconds: number; client?: S3Client }) {
    this.#client = opts.client;
    this.#region = opts.region;
    this.#bucket = opts.bucket;
    this.#linkSeconds = opts.linkSeconds;
  }

  async put(name: string, body: string, now: Date): Promise<{ url: string; expiresAt: string }> {
    // A random part: the key cannot be guessed from the centre and weeks in the name.
    const key = `${EXPORT_PREFIX}${now.toISOString().slice(0, 10)}/${randomUUID()}/${name}`;
    try {
      // The S3 client and the presigner load here, on the first export this large: the coordinators'
      // API is one bundle, where static imports would load them at every cold start.
      const { GetObjectCommand, PutObjectCommand, S3Client } = await import('@aws-sdk/client-s3');
      const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner');
      this.#client ??= new S3Client({ region: this.#region });
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          Body: body,
          ContentType: 'text/csv; charset=utf-8',
          ContentDisposition: `attachment; filename="${name}"`,
        }),
      );
      const url = await getSignedUrl(this.#client, new GetObjectCommand({ Bucket: this.#bucket, Key: key }), {
        expiresIn: this.#linkSeconds,
      });
      return { url, expiresAt: new Date(now.getTime() + this.#linkSeconds * 1000).toISOString() };
    } catch (error) {
      throw new DependencyError('writing the export file failed', { cause: error });
    }
  }
}
