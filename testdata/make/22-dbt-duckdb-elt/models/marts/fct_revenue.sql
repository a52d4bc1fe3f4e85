select * from {{ ref('stg_stripe__charges') }}
