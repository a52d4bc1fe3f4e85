select * from {{ source('app', 'users') }}
