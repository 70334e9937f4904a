// What the workstation's attachment desk takes and answers over the contract: a file the
// agent adds (checked here by the shared rules before anything is stored), the case's files
// with their upload state, and a file's content for preview or download.
import { z } from 'zod';
import { AttachmentMeta, DEFAULT_ATTACHMENT_MAX_BYTES, TYPED_FILE_NAME_MAX } from './attachments';

/** Base64 of the size limit, with padding: longer input cannot be a file we accept. */
const BASE64_MAX_CHARS = Math.ceil(DEFAULT_ATTACHMENT_MAX_BYTES / 3) * 4;

export const AttachmentAddInput = z.object({
  caseId: z.uuid(),
  fileName: z
    .string()
    .min(1, { message: 'FILE_NAME_INVALID' })
    .max(TYPED_FILE_NAME_MAX, { message: 'FILE_NAME_INVALID' }),
  // Any string: an unaccepted type is refused with the shared code, not as a shape error.
  mediaType: z.string().max(255),
  bytesBase64: z
    .string()
    .max(BASE64_MAX_CHARS, { message: 'ATTACHMENT_TOO_LARGE' })
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, { message: 'BASE64_INVALID' }),
});
export type AttachmentAddInput = z.infer<typeof AttachmentAddInput>;

export const AttachmentUploadState = z.enum(['pending', 'uploaded', 'refused']);
export type AttachmentUploadState = z.infer<typeof AttachmentUploadState>;

/** A file on a case as this workstation knows it: uploaded, waiting, or refused by the API. */
export const AttachmentListItem = AttachmentMeta.extend({
  state: AttachmentUploadState,
  /** Why the central API refused it (kept, shown, never dropped silently). */
  refusal: z.object({ code: z.string(), message: z.string() }).nullable(),
  /** Whether the content is on this workstation (opens offline). */
  cached: z.boolean(),
});
export type AttachmentListItem = z.infer<typeof AttachmentListItem>;

export const AttachmentRef = z.object({ caseId: z.uuid(), attachmentId: z.uuid() });

export const AttachmentContent = z.object({
  fileName: z.string(),
  mediaType: z.string(),
  bytesBase64: z.string(),
});
export type AttachmentContent = z.infer<typeof AttachmentContent>;
