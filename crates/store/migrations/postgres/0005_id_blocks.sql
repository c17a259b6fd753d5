-- The next id each table hands out. A writer reserves a block of ids here, in the
-- database its rows go to, so two processes on one database never hand out the same
-- id, and an id is never handed out twice, even after the row that had it is deleted.
-- `next` is only ever raised; a missing row means "one above the table's highest id".
CREATE TABLE id_blocks (
    name TEXT PRIMARY KEY,
    next BIGINT NOT NULL
);
