select * from {{ source('hubspot', 'deals') }}
