/**
 * FerretDB v1.24 on PostgreSQL pushes a filter's top-level equalities down as
 * `_jsonb->'field' @> value` (containment, so that an array holding the value
 * matches too, as in MongoDB), but the indexes it creates for `createIndex`
 * are btree indexes on `(_jsonb->'field')`, which PostgreSQL cannot use for
 * `@>`. Every find, `{_id}` included (only updates and deletes by `_id` use
 * `=`), is therefore a sequential scan of the whole collection: a per-org
 * read costs as much as every org's documents (measured: 32 ms for 50 of
 * 8,550 users, 0.05 ms through an index).
 *
 * Real MongoDB serves those filters from the same indexes, so the product
 * stays as it is; our own cluster gets an event trigger instead: whenever
 * FerretDB creates a btree index whose first key is one top-level field (the
 * `_id` index included), a GIN index on that field's value is created beside it, which `@>` can use.
 * FerretDB does not know of it (listIndexes shows its own), and it is dropped
 * with the table.
 */
export const GIN_BESIDE_FERRETDB_INDEXES_SQL = `
CREATE OR REPLACE FUNCTION regentra_gin_beside_ferretdb_index() RETURNS event_trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  cmd record;
  made record;
BEGIN
  FOR cmd IN SELECT objid FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE INDEX' LOOP
    SELECT i.indrelid::regclass::text AS tbl, t.relname AS tname, am.amname AS method,
           pg_get_indexdef(cmd.objid, 1, true) AS first_key
      INTO made
      FROM pg_index i
      JOIN pg_class c ON c.oid = i.indexrelid
      JOIN pg_class t ON t.oid = i.indrelid
      JOIN pg_am am ON am.oid = c.relam
     WHERE i.indexrelid = cmd.objid;
    -- FerretDB's keys read (_jsonb -> 'field'::text); _id too: a find by _id is pushed down as @>
    CONTINUE WHEN made.method IS DISTINCT FROM 'btree'
      OR made.first_key !~ $re$^\\(_jsonb -> '[^'.]+'::text\\)$$re$;
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING gin (%s)',
      left(made.tname, 40) || '_' || left(md5(made.first_key), 8) || '_gin', made.tbl, made.first_key);
  END LOOP;
END
$fn$;
DROP EVENT TRIGGER IF EXISTS regentra_gin_beside_ferretdb_index;
CREATE EVENT TRIGGER regentra_gin_beside_ferretdb_index ON ddl_command_end
  WHEN TAG IN ('CREATE INDEX') EXECUTE FUNCTION regentra_gin_beside_ferretdb_index();
`;
