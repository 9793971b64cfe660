import type { Index } from '@pinecone-database/pinecone';

/** Every id of an index's namespace as the official client lists them: at most 100 a page (Pinecone's limit). */
export async function listAllIds(index: Index): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page = await index.listPaginated({ limit: 100, ...(token ? { paginationToken: token } : {}) });
    ids.push(...(page.vectors ?? []).map((v) => v.id!));
    token = page.pagination?.next;
  } while (token);
  return ids;
}
