// Attachments on cases (photos of receipts, statements, letters): the types a desk accepts,
// how their content is recognized, how a typed file name is shown, and the metadata that
// travels with a pull. Shared so that a workstation refuses before uploading what the
// central API would refuse anyway. Pure code over Uint8Array: no Node, no DOM.
import { z } from 'zod';

/** Accepted types and the file name extensions each may carry (lower case, no dot). */
export const ATTACHMENT_TYPES = {
  'image/jpeg': ['jpg', 'jpeg'],
  'image/png': ['png'],
  'image/webp': ['webp'],
  'application/pdf': ['pdf'],
  'text/plain': ['txt', 'text', 'log', 'csv'],
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': ['docx'],
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': ['xlsx'],
} as const satisfies Record<string, readonly string[]>;

export type AttachmentMediaType = keyof typeof ATTACHMENT_TYPES;
export const ATTACHMENT_MEDIA_TYPES = Object.keys(ATTACHMENT_TYPES) as AttachmentMediaType[];
export const AttachmentMediaType = z.enum(
  ATTACHMENT_MEDIA_TYPES as [AttachmentMediaType, ...AttachmentMediaType[]],
);

/** The server's default size limit; a deployment sets its own (ATTACHMENT_MAX_BYTES). */
export const DEFAULT_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;
/** Longest file name shown and offered for download, in characters; longer ones are cut. */
export const DISPLAY_FILE_NAME_MAX = 255;
/** Longest file name accepted as typed, in characters. */
export const TYPED_FILE_NAME_MAX = 1024;

/** Headers of an upload besides content-type. */
export const FILE_NAME_HEADER = 'x-file-name';
export const CONTENT_SHA256_HEADER = 'x-content-sha256';

export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, { message: 'SHA256_INVALID' });

/** What a workstation learns about an attachment with its pull; content comes on demand. */
export const AttachmentMeta = z.object({
  id: z.uuid(),
  caseId: z.uuid(),
  /** Safe to show and to save as: see `displayFileName`. */
  fileName: z.string(),
  /** Exactly as the uploader's computer named it, for the record. */
  typedFileName: z.string(),
  mediaType: AttachmentMediaType,
  size: z.number().int().positive(),
  sha256: Sha256Hex,
  uploadedBy: z.string(),
  uploadedByName: z.string(),
  /** The workstation it came from. */
  clientId: z.uuid().nullable(),
  /** Server time of the upload. */
  createdAt: z.string(),
});
export type AttachmentMeta = z.infer<typeof AttachmentMeta>;

/** The lower-case media type without parameters (`text/plain; charset=utf-8` → `text/plain`). */
export function essenceOf(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}

export function isAttachmentMediaType(value: string): value is AttachmentMediaType {
  return Object.hasOwn(ATTACHMENT_TYPES, value);
}

// Path separators, C0/C1 controls and DEL, and the invisible marks that can make a name
// read backwards (`invoice‮fdp.exe`): none of them belongs in a name a person reads.
// eslint-disable-next-line no-control-regex
const UNSHOWABLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]/gu;

/**
 * A typed file name made safe to show and to save as: its last path part only (either
 * slash), without control or direction characters, trimmed, at most DISPLAY_FILE_NAME_MAX
 * characters with its extension kept. Everything else stays as typed (Chinese, spaces,
 * punctuation). May be empty: nothing showable was typed.
 */
export function displayFileName(typed: string): string {
  const lastPart = typed.split(/[/\\]/).pop() ?? '';
  const visible = lastPart.replace(UNSHOWABLE, '').trim();
  // Names that only walk the directory tree say nothing.
  if (visible === '.' || visible === '..') return '';
  const chars = [...visible];
  if (chars.length <= DISPLAY_FILE_NAME_MAX) return visible;
  const dot = visible.lastIndexOf('.');
  const extension = dot > 0 ? [...visible.slice(dot)] : [];
  if (extension.length === 0 || extension.length > 16) {
    return chars.slice(0, DISPLAY_FILE_NAME_MAX).join('').trimEnd();
  }
  const stem = chars.slice(0, DISPLAY_FILE_NAME_MAX - extension.length).join('');
  return stem.trimEnd() + extension.join('');
}

/** The lower-case extension of a file name, without the dot; '' when it has none. */
export function extensionOf(fileName: string): string {
  const dot = fileName.lastIndexOf('.');
  return dot > 0 ? fileName.slice(dot + 1).toLowerCase() : '';
}

/** Whether a file name's extension is one its media type may carry. */
export function extensionFits(fileName: string, mediaType: AttachmentMediaType): boolean {
  return (ATTACHMENT_TYPES[mediaType] as readonly string[]).includes(extensionOf(fileName));
}

const ascii = (text: string) => Array.from(text, (ch) => ch.charCodeAt(0));

function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
  if (bytes.length < at + prefix.length) return false;
  return prefix.every((byte, i) => bytes[at + i] === byte);
}

function indexOfBytes(bytes: Uint8Array, needle: readonly number[], from = 0): number {
  const first = needle[0]!;
  for (let i = bytes.indexOf(first, from); i !== -1; i = bytes.indexOf(first, i + 1)) {
    if (startsWith(bytes, needle, i)) return i;
  }
  return -1;
}

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG = [0xff, 0xd8, 0xff];
const RIFF = ascii('RIFF');
const WEBP = ascii('WEBP');
const PDF = ascii('%PDF-');
const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OOXML_TYPES = ascii('[Content_Types].xml');
const WORD_DOCUMENT = ascii('word/document.xml');
const EXCEL_WORKBOOK = ascii('xl/workbook.xml');
const VBA_PROJECT = ascii('vbaProject.bin');

// Markup a browser would render or run if it ever sniffed a "text" (WHATWG MIME sniffing's
// HTML patterns, plus XML and SVG).
const MARKUP =
  /^<(!doctype html|html|head|body|script|iframe|h1|div|font|table|a|style|title|b|br|p|svg|\?xml|!--)[\s>/]/i;

/** Well-formed UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
function isUtf8(bytes: Uint8Array): boolean {
  const inRange = (i: number, low = 0x80, high = 0xbf) =>
    i < bytes.length && bytes[i]! >= low && bytes[i]! <= high;
  for (let i = 0; i < bytes.length;) {
    const lead = bytes[i]!;
    if (lead < 0x80) i += 1;
    else if (lead >= 0xc2 && lead <= 0xdf && inRange(i + 1)) i += 2;
    else if (
      lead >= 0xe0 &&
      lead <= 0xef &&
      inRange(i + 1, lead === 0xe0 ? 0xa0 : 0x80, lead === 0xed ? 0x9f : 0xbf) &&
      inRange(i + 2)
    )
      i += 3;
    else if (
      lead >= 0xf0 &&
      lead <= 0xf4 &&
      inRange(i + 1, lead === 0xf0 ? 0x90 : 0x80, lead === 0xf4 ? 0x8f : 0xbf) &&
      inRange(i + 2) &&
      inRange(i + 3)
    )
      i += 4;
    else return false;
  }
  return true;
}

/** Well-formed GB18030 byte sequences: one, two or four bytes (GB 18030-2005, §6). */
function isGb18030(bytes: Uint8Array): boolean {
  const inRange = (i: number, low: number, high: number) =>
    i < bytes.length && bytes[i]! >= low && bytes[i]! <= high;
  for (let i = 0; i < bytes.length;) {
    const lead = bytes[i]!;
    if (lead < 0x80) i += 1;
    else if (!inRange(i, 0x81, 0xfe)) return false;
    else if (inRange(i + 1, 0x40, 0x7e) || inRange(i + 1, 0x80, 0xfe)) i += 2;
    else if (inRange(i + 1, 0x30, 0x39) && inRange(i + 2, 0x81, 0xfe) && inRange(i + 3, 0x30, 0x39))
      i += 4;
    else return false;
  }
  return true;
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];
const isBlank = (byte: number) => byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
/** NUL, and controls other than tab, line breaks, form feed and escape: a binary file. */
const isBinaryControl = (byte: number) =>
  byte === 0x7f || (byte < 0x20 && !isBlank(byte) && byte !== 0x1b) || byte === 0x0b;

/**
 * The charset of plain text: valid UTF-8 (BOM or not), or else GB18030 (Windows' Chinese
 * files), without binary controls; null for anything else, markup included. Both agree
 * with ASCII below 0x80, so controls and markup are checked on the bytes themselves.
 */
export function textCharset(bytes: Uint8Array): 'utf-8' | 'gb18030' | null {
  if (bytes.some(isBinaryControl)) return null;
  let start = startsWith(bytes, UTF8_BOM) ? UTF8_BOM.length : 0;
  while (start < bytes.length && isBlank(bytes[start]!)) start += 1;
  const opening = String.fromCharCode(...bytes.subarray(start, start + 32));
  if (MARKUP.test(opening)) return null;
  if (isUtf8(bytes)) return 'utf-8';
  return isGb18030(bytes) ? 'gb18030' : null;
}

/**
 * The accepted type the content is, by its leading bytes (for Office files, the parts the
 * ZIP names), or null for anything else: executables, HTML, SVG, macro-enabled documents,
 * archives. The declared type must equal this: a name or a header proves nothing.
 */
export function mediaTypeOfContent(bytes: Uint8Array): AttachmentMediaType | null {
  if (startsWith(bytes, PNG)) return 'image/png';
  if (startsWith(bytes, JPEG)) return 'image/jpeg';
  if (startsWith(bytes, RIFF) && startsWith(bytes, WEBP, 8)) return 'image/webp';
  // Readers tolerate junk before the header; evidence need not: it keeps polyglots out.
  if (startsWith(bytes, PDF)) return 'application/pdf';
  if (startsWith(bytes, ZIP)) {
    // The central directory lists every part's name uncompressed.
    if (indexOfBytes(bytes, OOXML_TYPES) === -1 || indexOfBytes(bytes, VBA_PROJECT) !== -1) {
      return null;
    }
    if (indexOfBytes(bytes, WORD_DOCUMENT) !== -1) {
      return 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
    }
    if (indexOfBytes(bytes, EXCEL_WORKBOOK) !== -1) {
      return 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    }
    return null;
  }
  return textCharset(bytes) ? 'text/plain' : null;
}
