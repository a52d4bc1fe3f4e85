select user_id, count(*) from orders group by 1
