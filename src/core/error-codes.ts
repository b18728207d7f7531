/**
 * Every error and warning sluice reports has a stable code. The table is data: the CLI, the docs
 * and the engine's retry logic all read it.
 */
export const ERROR_CODES = {
  // files and YAML
  E_FILE_NOT_FOUND: { retryable: false, summary: 'pipeline file does not exist' },
  E_FILE_READ: { retryable: false, summary: 'pipeline file could not be read' },
  E_FILE_TYPE: { retryable: false, summary: 'unsupported pipeline file extension' },
  E_YAML_SYNTAX: { retryable: false, summary: 'the file is not valid YAML' },
  E_YAML_DUPLICATE_KEY: { retryable: false, summary: 'a mapping repeats a key' },
  E_TS_LOAD: { retryable: false, summary: 'a TypeScript pipeline module failed to load' },
  // schema
  E_SCHEMA_UNKNOWN_KEY: { retryable: false, summary: 'a key that sluice does not know' },
  E_SCHEMA_TYPE: { retryable: false, summary: 'a value has the wrong type' },
  E_SCHEMA_REQUIRED: { retryable: false, summary: 'a required key is missing' },
  E_SCHEMA_VALUE: { retryable: false, summary: 'a value is out of range or not allowed' },
  E_TASK_TYPE_UNKNOWN: { retryable: false, summary: 'unknown task type' },
  E_DURATION_INVALID: { retryable: false, summary: 'a duration could not be parsed' },
  E_TIMEOUT_RANGE: { retryable: false, summary: 'a timeout is out of range' },
  E_RETRIES_RANGE: { retryable: false, summary: 'a retry policy is out of range' },
  E_CRON_INVALID: { retryable: false, summary: 'invalid cron expression or time zone' },
  E_BACKFILL_RANGE: {
    retryable: false,
    summary: 'a backfill range is empty, reversed or has too many intervals',
  },
  E_CONNECTION_UNKNOWN: {
    retryable: false,
    summary: 'a task names a connection that is not defined',
  },
  E_CONNECTOR_UNKNOWN: { retryable: false, summary: 'a connection URL names an unknown connector' },
  E_POOL_UNKNOWN: { retryable: false, summary: 'a task names a pool that is not defined' },
  E_INPUT_INVALID: {
    retryable: false,
    summary: 'a task input is missing, ambiguous or not upstream',
  },
  // graph
  E_TASK_DUPLICATE: { retryable: false, summary: 'two tasks share an id' },
  E_DEP_MISSING: { retryable: false, summary: 'a dependency names no task' },
  E_DEP_SELF: { retryable: false, summary: 'a task depends on itself' },
  E_CYCLE: { retryable: false, summary: 'the dependencies form a cycle' },
  E_SELECT_INVALID: {
    retryable: false,
    summary: 'a --select expression is invalid or matches nothing',
  },
  W_UNREACHABLE: { retryable: false, summary: 'a task cannot be reached from any root task' },
  W_RESOURCES: { retryable: false, summary: 'a task asks for more than this machine has' },
  // params, templates, secrets
  E_PARAM_MISSING: { retryable: false, summary: 'a required parameter has no value' },
  E_PARAM_UNDECLARED: {
    retryable: false,
    summary: 'a parameter is used or given but not declared',
  },
  E_PARAM_TYPE: { retryable: false, summary: 'a parameter value does not match its type' },
  E_PARAM_CYCLE: { retryable: false, summary: 'parameter defaults refer to each other in a loop' },
  E_TEMPLATE_SYNTAX: { retryable: false, summary: 'a {{ }} template is malformed' },
  E_TEMPLATE_UNQUOTED: { retryable: false, summary: 'a template in YAML must be quoted' },
  E_TEMPLATE_UNKNOWN: {
    retryable: false,
    summary: 'a template names an unknown variable or filter',
  },
  E_ENV_UNSET: { retryable: false, summary: 'a ${env:NAME} variable is not set' },
  W_ENV_UNSET: { retryable: false, summary: 'a ${env:NAME} variable is not set (needed at run)' },
  W_INLINE_SECRET: { retryable: false, summary: 'a password is written into the file' },
  // CLI
  E_USAGE: { retryable: false, summary: 'the command line is wrong' },
  E_INIT_EXISTS: { retryable: false, summary: 'init would overwrite existing files' },
  E_STATE_TRANSITION: { retryable: false, summary: 'a forbidden state transition was attempted' },
  E_STATE_NOT_FOUND: {
    retryable: false,
    summary: 'a run, task or record is not in the state store',
  },
  E_STATE_CONFLICT: {
    retryable: false,
    summary: 'a record with that id is already in the state store',
  },
  E_STATE_SCHEMA_NEWER: {
    retryable: false,
    summary: 'the state store was written by a newer sluice (schema version unknown here)',
  },
  E_STATE_CONNECT: { retryable: true, summary: 'the state store could not be opened or reached' },
  // engine
  E_TASK_FAILED: {
    retryable: true,
    summary: 'a task threw an error (retried unless it says otherwise)',
  },
  E_TASK_TIMEOUT: { retryable: true, summary: 'a task attempt ran past its timeout' },
  E_RUN_TIMEOUT: { retryable: false, summary: 'the run ran past the pipeline timeout' },
  E_COMMAND_FAILED: { retryable: true, summary: 'a command task exited with a non-zero code' },
  E_FUNCTION_LOAD: {
    retryable: false,
    summary: 'a function task module or export could not be loaded',
  },
  E_NETWORK: { retryable: true, summary: 'a network, deadlock, 429 or 5xx error' },
  E_CIRCUIT_OPEN: {
    retryable: true,
    summary: 'a connection failed repeatedly; calls fail fast for a while',
  },
  E_CANCELLED: { retryable: false, summary: 'the run was cancelled' },
  E_ORPHANED: {
    retryable: true,
    summary: 'the process running an attempt died (killed or crashed)',
  },
  E_UPSTREAM_FAILED: {
    retryable: false,
    summary: 'a task was skipped because an upstream task failed',
  },
  E_EXECUTOR_MISSING: {
    retryable: false,
    summary: 'no executor is registered for a task type yet',
  },
  E_RUN_NOT_RESUMABLE: { retryable: false, summary: 'the run cannot be resumed in its state' },
  E_ROWS_REJECTED: {
    retryable: false,
    summary: 'more rows were rejected than max_bad_rows allows',
  },
  E_SQL: {
    retryable: false,
    summary: 'a SQL statement failed (syntax, unknown table or column, constraint)',
  },
  E_SCHEMA_DRIFT: {
    retryable: false,
    summary: 'incoming data does not fit the destination schema under its evolution policy',
  },
  // code (TypeScript) transforms
  E_TRANSFORM_LOAD: {
    retryable: false,
    summary: 'a transform module or its map/transform function could not be loaded',
  },
  E_TRANSFORM_RECORD: {
    retryable: false,
    summary: 'a transform function threw on a record (or too many records were rejected)',
  },
  E_TRANSFORM_FAILED: {
    retryable: false,
    summary: 'a transform broke its contract, threw in streaming mode or its worker crashed',
  },
  E_TRANSFORM_TIMEOUT: {
    retryable: false,
    summary: 'a transform ran past its timeout; its worker thread was terminated',
  },
  E_TRANSFORM_MEMORY: {
    retryable: false,
    summary: 'a transform worker thread ran out of its memory limit and was terminated',
  },
  E_CONTRACT_VIOLATION: {
    retryable: false,
    summary: "a task's output broke its schema contract under policy freeze or evolve",
  },
  E_CHECK_FAILED: {
    retryable: false,
    summary: 'a quality check of severity error failed; downstream tasks do not run',
  },
  E_CHECK_SQL: {
    retryable: false,
    summary: 'a quality check could not run: DuckDB rejected its SQL',
  },
  // http
  E_HTTP_STATUS: {
    retryable: false,
    summary:
      'an HTTP endpoint refused a request with a 4xx status (5xx and 429 retry as E_NETWORK)',
  },
  E_HTTP_AUTH: {
    retryable: false,
    summary: 'an HTTP endpoint or OAuth2 token endpoint refused the credentials (401/403)',
  },
  E_HTTP_RESPONSE: {
    retryable: false,
    summary: 'an HTTP response is not the JSON the source expects (records path, cursor, value)',
  },
  E_HTTP_PAGINATION_LOOP: {
    retryable: false,
    summary: 'HTTP pagination repeated a cursor or next URL, or passed max_pages',
  },
  // prometheus
  E_PROMETHEUS_QUERY: {
    retryable: false,
    summary: 'Prometheus rejected a query (bad_data, execution error, other 4xx)',
  },
  E_PROMETHEUS_SERVER: {
    retryable: true,
    summary: 'Prometheus timed out, failed (5xx) or could not be reached',
  },
  E_PROMETHEUS_AUTH: {
    retryable: false,
    summary: 'Prometheus (or its proxy) refused the credentials (401/403)',
  },
  // influxdb
  E_INFLUX_WRITE: {
    retryable: false,
    summary:
      'InfluxDB refused points of a write (unable to parse, partial write, field type conflict)',
  },
  E_INFLUX_QUERY: {
    retryable: false,
    summary: 'InfluxDB refused a query or statement (InfluxQL or Flux error)',
  },
  // HTTP API (sluice serve)
  E_PIPELINE_UNKNOWN: { retryable: false, summary: 'no pipeline with that name is loaded' },
  E_BAD_REQUEST: {
    retryable: false,
    summary: 'an API request has malformed JSON or invalid fields',
  },
  E_AUTH: { retryable: false, summary: 'an API call lacks the right bearer token' },
  E_ROUTE_UNKNOWN: { retryable: false, summary: 'no API route matches the method and path' },
  E_INTERNAL: { retryable: false, summary: 'a bug in sluice; please report it' },
} as const satisfies Record<string, { retryable: boolean; summary: string }>

export type ErrorCode = keyof typeof ERROR_CODES
