{#- PostgreSQL type names in Spark SQL.

    The models and the generated sources name PostgreSQL's types where they cast (`text`,
    `double precision`, `numeric`, `timestamp with time zone`, `jsonb`…), and the CD1 contracts
    declare them. Spark's parser knows `string`, `double`, `decimal(p, s)`, `timestamp`,
    `timestamp_ntz`. Rather than copying any model per engine, every statement dbt creates a
    table, view or test with on Spark passes through cd2_spark_sql, which rewrites the type of
    each `cast(… as <type>)` to Spark's name for it (and nothing else). A bare `numeric` becomes
    decimal(38, 9): Spark's numeric without precision is decimal(10, 0), which would drop every
    fraction. CD1's naive UTC timestamps are timestamp_ntz; CD2's instants are timestamp (the
    session time zone is UTC, set in the profile). JSON is JSON text (string) on Spark: the
    cd1_json_* macros parse it as VARIANT where they reach into it. -#}
{% macro cd2_spark_sql(sql) -%}
    {%- set types = [
        ('timestamp with time zone', 'timestamp'),
        ('timestamp without time zone', 'timestamp_ntz'),
        ('timestamptz', 'timestamp'),
        ('double precision', 'double'),
        ('text', 'string'),
        ('jsonb', 'string'),
        ('json', 'string'),
        ('numeric', 'decimal(38, 9)'),
        ('character varying', 'string'),
    ] -%}
    {#- a namespace: a plain `set` inside the loop would not outlive it -#}
    {%- set state = namespace(sql=sql) -%}
    {%- for pg, spark in types -%}
        {%- set state.sql = modules.re.sub('(?i)(\\bas\\s+)' ~ pg.replace(' ', '\\s+') ~ '(\\s*\\))', '\\g<1>' ~ spark ~ '\\g<2>', state.sql) -%}
    {%- endfor -%}
    {{ return(state.sql) }}
{%- endmacro %}

{#- dbt-spark's create_table_as and create_view_as, with cd2_spark_sql applied. Contracts are not
    asserted on Spark: their data types are PostgreSQL's (the CD1 column types), which Spark does
    not know; column names and order still come from the same SQL, and the Spark e2e test compares
    every mart's rows with the PostgreSQL build's. -#}
{% macro spark__create_table_as(temporary, relation, compiled_code, language='sql') -%}
    {%- set compiled_code = cd2_spark_sql(compiled_code) -%}
    {%- if temporary -%}
        create or replace temporary view {{ relation }} as
        {{ compiled_code }}
    {%- else -%}
        create table {{ relation }}
        {{ file_format_clause() }}
        {{ options_clause() }}
        {{ tblproperties_clause() }}
        {{ partition_cols(label="partitioned by") }}
        {{ clustered_cols(label="clustered by") }}
        {{ location_clause() }}
        {{ comment_clause() }}
        as
        {{ compiled_code }}
    {%- endif -%}
{%- endmacro %}

{% macro spark__create_view_as(relation, sql) -%}
    create or replace view {{ relation }}
    {{ comment_clause() }}
    as
    {{ cd2_spark_sql(sql) }}
{%- endmacro %}

{% macro spark__get_test_sql(main_sql, fail_calc, warn_if, error_if, limit) -%}
    {{ default__get_test_sql(cd2_spark_sql(main_sql), fail_calc, warn_if, error_if, limit) }}
{%- endmacro %}

{#- dbt.listagg on Spark in the order asked for (dbt-spark ignores order_by_clause, warning):
    the values are collected with their sort key, sorted, and joined. One sort expression,
    `order by <expr> [asc|desc]`. -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if not order_by_clause -%}
        {{ return(dbt_spark_listagg_unordered(measure, delimiter_text, limit_num)) }}
    {%- endif -%}
    {%- set parsed = modules.re.match('(?is)^\\s*order\\s+by\\s+(.+?)(\\s+(asc|desc))?\\s*$', order_by_clause) -%}
    {%- if parsed is none or ',' in parsed.group(1) -%}
        {{ exceptions.raise_compiler_error("spark__listagg: order_by_clause must be 'order by <one expression> [asc|desc]', got " ~ order_by_clause) }}
    {%- endif -%}
    {%- set sorted = "array_sort(collect_list(named_struct('sort_key', " ~ parsed.group(1) ~ ", 'value', " ~ measure ~ ")))" -%}
    {%- if (parsed.group(3) or '') | lower == 'desc' -%}
        {%- set sorted = "reverse(" ~ sorted ~ ")" -%}
    {%- endif -%}
    {%- set values = "transform(" ~ sorted ~ ", element -> element.value)" -%}
    {%- if limit_num -%}
        {%- set values = "slice(" ~ values ~ ", 1, " ~ limit_num ~ ")" -%}
    {%- endif -%}
    {{ return("array_join(" ~ values ~ ", " ~ delimiter_text ~ ")") }}
{%- endmacro %}

{% macro dbt_spark_listagg_unordered(measure, delimiter_text, limit_num) -%}
    {%- set values = "collect_list(" ~ measure ~ ")" -%}
    {%- if limit_num -%}
        {%- set values = "slice(" ~ values ~ ", 1, " ~ limit_num ~ ")" -%}
    {%- endif -%}
    {{ return("array_join(" ~ values ~ ", " ~ delimiter_text ~ ")") }}
{%- endmacro %}

{#- dbt.type_float() as PostgreSQL means it: `float` there is double precision, in Spark a 4-byte
    float (dbt-spark's default), which rounded the Analytics scores to 7 digits. -#}
{% macro spark__type_float() -%}
    double
{%- endmacro %}

{#- Seeds on Spark with the values written as SQL literals. dbt-spark's session connection
    formats each binding as '<value>' (a missing value became the text 'None', a quote broke the
    statement) and numbers as Python floats (digits past 2^53 lost). -#}
{% macro spark__load_csv_rows(model, agate_table) -%}
    {%- set batch_size = get_batch_size() -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(batch_size) -%}
        {%- set sql -%}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for col_name in agate_table.column_names -%}
                    {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                    {%- set type = column_override.get(col_name, inferred_type) -%}
                    cast({{ cd2_spark_literal(row[loop.index0]) }} as {{ type }})
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor -%}
        {%- endset -%}
        {%- do adapter.add_query(cd2_spark_sql(sql), abridge_sql_log=True) -%}
        {%- if loop.index0 == 0 -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{%- endmacro %}

{#- A seed value (agate: None, bool, Decimal, date, datetime or text) as a Spark SQL literal. -#}
{% macro cd2_spark_literal(value) -%}
    {%- if value is none -%}
        null
    {%- elif value is boolean -%}
        {{ 'true' if value else 'false' }}
    {%- elif value is number -%}
        {{ value | string }}
    {%- elif value.isoformat is defined -%}
        '{{ value.isoformat() | replace('T', ' ') }}'
    {%- else -%}
        '{{ value | string | replace('\\', '\\\\') | replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}
