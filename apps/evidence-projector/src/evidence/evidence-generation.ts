import { PreconditionFailedException } from '@nestjs/common';
import type { ControlEvidenceDocument } from './control-evidence.document';

/**
 * Which generation of a control's current evidence an answer was read from
 * (docs/http-api.md, Evidence generations): its item pages' generation, or,
 * for a document written before item pages, its projection time.
 */
export function generationOf(
  doc: Pick<ControlEvidenceDocument, 'itemPages' | 'projectedAt'>,
): string {
  return doc.itemPages?.generation ?? `inline-${new Date(doc.projectedAt).getTime()}`;
}

/** The strong entity tag of that generation. */
export const etagOf = (doc: Pick<ControlEvidenceDocument, 'itemPages' | 'projectedAt'>): string =>
  `"${generationOf(doc)}"`;

/**
 * Whether an `If-Match` header (RFC 9110, 13.1.1: `*` or a list of entity
 * tags, compared strongly, so a weak tag `W/"…"` never matches) names the
 * generation; absent or `*` matches anything.
 */
export function ifMatchAllows(header: string | undefined, generation: string): boolean {
  if (header === undefined || header.trim() === '' || header.trim() === '*') return true;
  return header
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => tag === `"${generation}"`);
}

/** Throws 412 `evidence_changed` when `If-Match` names another generation than the document's. */
export function checkIfMatch(
  header: string | undefined,
  doc: Pick<ControlEvidenceDocument, 'itemPages' | 'projectedAt' | 'orgId' | 'control'>,
): void {
  const generation = generationOf(doc);
  if (ifMatchAllows(header, generation)) return;
  throw evidenceChanged(doc, `to generation ${generation} (If-Match: ${header})`);
}

/** 412 `evidence_changed`: the generation a read began on is gone. */
export function evidenceChanged(
  doc: Pick<ControlEvidenceDocument, 'orgId' | 'control'>,
  detail: string,
): PreconditionFailedException {
  return new PreconditionFailedException({
    statusCode: 412,
    code: 'evidence_changed',
    message: `${changedMessage(doc)} ${detail}: read it again from offset 0, or read a snapshot (immutable)`,
  });
}

const changedMessage = (doc: Pick<ControlEvidenceDocument, 'orgId' | 'control'>) =>
  `evidence_changed: the current ${doc.control} evidence of org ${doc.orgId} moved on`;

/**
 * A current list's pages, streamed: a page gone (the generation displaced by
 * a switch during the download) ends the stream with `evidence_changed`.
 */
export async function* sameGeneration(
  doc: Pick<ControlEvidenceDocument, 'orgId' | 'control'>,
  pages: AsyncIterable<unknown[]>,
  isPageGone: (error: unknown) => boolean,
): AsyncGenerator<unknown[]> {
  try {
    for await (const page of pages) yield page;
  } catch (error) {
    if (!isPageGone(error)) throw error;
    throw new Error(`${changedMessage(doc)} during the download: download it again`);
  }
}
