{#- The id of enrollment_rollup_dim's row for one (user, course) pair (R7), so every fact can fill
    its enrollment_rollup_id without joining the rollup. CD2 has no such id, so it is generated:
    the same 60-bit hash as cd1_surrogate_id over the namespace 'enrollment_rollup' and the
    **global** user and course ids. Both arguments go through cd1_global_id first, which leaves
    global ids unchanged, so passing CD2 local ids (submissions.user_id) or CD1 global ids
    (submission_fact.user_id) gives the same id. NULL when either id is NULL: no pair, no rollup. -#}
{% macro cd1_enrollment_rollup_id(user_id_expr, course_id_expr) -%}
    {%- for arg_name, arg in [('user_id_expr', user_id_expr), ('course_id_expr', course_id_expr)] -%}
        {%- if arg is not string or arg | length == 0 -%}
            {{ exceptions.raise_compiler_error("cd1_enrollment_rollup_id: argument '" ~ arg_name ~ "' must be a SQL expression string, got " ~ arg) }}
        {%- endif -%}
    {%- endfor -%}
    case
        when ({{ user_id_expr }}) is not null and ({{ course_id_expr }}) is not null
            then {{ cd1_surrogate_id(["'enrollment_rollup'", cd1_global_id(user_id_expr), cd1_global_id(course_id_expr)]) }}
    end
{%- endmacro %}
