import { createHash } from 'node:crypto';
import { fileTypeFromBuffer } from 'file-type';
import type { Db } from '../../lib/db/client.js';
import { ValidationError } from '../../lib/errors.js';

/** A file as a form uploaded it: what the browser said it is, and its bytes. */
export interface UploadedFile {
  filename: string;
  declaredType: string;
  data: Buffer;
}

/** The largest file of evidence kept (also the upload limit of the evidence form). */
export const EVIDENCE_MAX_BYTES = 10 * 1024 * 1024;

// Documents, spreadsheets, slides, images and text: what minutes, survey results, observation notes
// and achievement data come as. Decided by the content, not by the name or what the browser claims.
const DETECTED: Record<string, string> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  heic: 'image/heic',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  odp: 'application/vnd.oasis.opendocument.presentation',
};
const TEXT = /\.(txt|csv|md)$/i;

export const ACCEPTED_FILES = 'PDF, Word, Excel, PowerPoint, OpenDocument, PNG, JPEG, GIF, WebP, HEIC, plain text or CSV';

const refuse = (message: string) => new ValidationError(`The file ${message}`, [{ path: 'file', message }]);

/** The type of a file by its content, or a 400 naming what is wrong with it. */
export async function checkEvidenceFile(file: UploadedFile): Promise<{ contentType: string; filename: string }> {
  // No path separators or control characters in a name that ends up in a download header.
  const filename =
    [...file.filename]
      .map((c) => (c === '/' || c === '\\' || c.charCodeAt(0) < 32 ? '_' : c))
      .join('')
      .slice(-200) || 'evidence';
  if (file.data.length === 0) throw refuse('is empty');
  if (file.data.length > EVIDENCE_MAX_BYTES) throw refuse(`is larger than ${EVIDENCE_MAX_BYTES / 1024 / 1024} MiB`);
  const detected = await fileTypeFromBuffer(file.data);
  if (detected) {
    const contentType = DETECTED[detected.ext];
    if (!contentType) throw refuse(`is a ${detected.ext.toUpperCase()} file; accepted are ${ACCEPTED_FILES}`);
    return { contentType, filename };
  }
  // Text has no signature: it must be named as text and be UTF-8 without NUL.
  const text = TEXT.test(filename) && !file.data.includes(0) && Buffer.from(file.data.toString('utf8'), 'utf8').equals(file.data);
  if (!text) throw refuse(`is of a kind that is not accepted; accepted are ${ACCEPTED_FILES}`);
  return { contentType: filename.toLowerCase().endsWith('.csv') ? 'text/csv' : 'text/plain', filename };
}

/** Keeps an uploaded file of evidence, once checked; its id goes on the item it belongs to. */
export async function storeEvidenceFile(db: Db, uploadedById: string, file: UploadedFile): Promise<string> {
  const { contentType, filename } = await checkEvidenceFile(file);
  const row = await db.evidenceFile.create({
    data: {
      filename,
      contentType,
      size: file.data.length,
      sha256: createHash('sha256').update(file.data).digest('hex'),
      data: new Uint8Array(file.data),
      uploadedById,
    },
    select: { id: true },
  });
  return row.id;
}
