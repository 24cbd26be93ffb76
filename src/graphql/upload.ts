import type { FileUpload } from 'graphql-upload/processRequest.mjs';
import { AppError, ErrorCode } from '../errors.js';

export interface UploadedFile {
  bytes: Buffer;
  filename: string;
  mimetype: string;
}

/**
 * Reads one multipart upload fully into memory, refusing more than `maxBytes` (graphql-upload also stops
 * the stream at MAX_UPLOAD_BYTES; this keeps the guarantee even if it is configured differently).
 */
export async function readUpload(
  upload: Promise<FileUpload> | FileUpload,
  maxBytes: number,
): Promise<UploadedFile> {
  let file: FileUpload;
  try {
    file = await upload;
  } catch (cause) {
    throw uploadError(cause);
  }
  if (!file || typeof file.createReadStream !== 'function') {
    throw new AppError(ErrorCode.BAD_USER_INPUT, 'expected a file upload (GraphQL multipart request)');
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of file.createReadStream()) {
      const buffer = chunk as Buffer;
      total += buffer.length;
      if (total > maxBytes) {
        throw new AppError(ErrorCode.IMAGE_TOO_LARGE, `upload exceeds ${maxBytes} bytes`, { maxBytes });
      }
      chunks.push(buffer);
    }
  } catch (cause) {
    throw uploadError(cause);
  }
  return { bytes: Buffer.concat(chunks), filename: file.filename, mimetype: file.mimetype };
}

function uploadError(cause: unknown): AppError {
  if (cause instanceof AppError) return cause;
  const status = (cause as { status?: number }).status;
  const message = cause instanceof Error ? cause.message : String(cause);
  if (status === 413) return new AppError(ErrorCode.IMAGE_TOO_LARGE, message, {}, { cause });
  return new AppError(ErrorCode.BAD_USER_INPUT, `upload failed: ${message}`, {}, { cause });
}
