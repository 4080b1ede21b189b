// PostGraphile 5 as the benchmark's second peer (bench/servers.py starts it):
// the standard preset with simplified names, in production mode.
import { PgSimplifyInflectionPreset } from "@graphile/simplify-inflection";
import { makePgService } from "postgraphile/adaptors/pg";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { jsonPgSmartTags } from "postgraphile/utils";

// Q6 asks for contacts by their custom values, a jsonb column. PostGraphile 4 offers every
// column in `condition`; version 5 leaves jsonb out (its codec declares no natural
// equality), so this column is let in by a smart tag: whole-value equality, as in version 4.
const CustomFieldsConditionPlugin = jsonPgSmartTags({
  version: 1,
  config: {
    attribute: {
      "contact.custom_fields": { tags: { behavior: ["+attribute:filterBy"] } },
    },
  },
});

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset, PgSimplifyInflectionPreset],
  // Filters and orders on every column, as PostGraphile 4 offers by default (ignoreIndexes):
  // the questions exclude archived rows, and archived_at has no index of its own.
  disablePlugins: ["PgIndexBehaviorsPlugin"],
  plugins: [CustomFieldsConditionPlugin],
  pgServices: [
    makePgService({
      connectionString: process.env.BENCH_DATABASE_URL,
      schemas: ["public"],
    }),
  ],
  grafserv: {
    host: "127.0.0.1",
    // As it would be deployed, and as PostGraphile 4 runs beside it (--disable-graphiql).
    graphiql: false,
    watch: false,
  },
  grafast: { explain: false },
};

export default preset;
