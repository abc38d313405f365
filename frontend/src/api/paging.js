// Cursor paging over any list call of a feature's api.js (no HTTP of its own).

/** Every page of a cursor-paged list (up to `max` items): the workbench filters and exports whole lists. */
export async function allPages(fetchPage, query = {}, max = 2000) {
  const items = []
  let cursor
  do {
    const page = await fetchPage({ ...query, limit: 500, cursor })
    items.push(...page.items)
    cursor = page.next_cursor
  } while (cursor && items.length < max)
  return { items, truncated: Boolean(cursor) }
}
