-- Records by jurisdiction: a page of the persons, houses or entities whose grid code
-- starts with a prefix (`440304001` = everything in one street), in id order. The
-- store asks for the prefix as a range, `grid_code >= '440304001' AND grid_code <
-- '440304002'`, which a b-tree answers directly as long as the column sorts
-- byte-wise: grid codes are digits, so the "C" collation is the natural one, and
-- with it the range needs no `COLLATE` in the query and no pattern operator class
-- (a `LIKE $1` with a bound pattern cannot use an index in a generic plan).
-- Changing only the collation does not rewrite the table.
--
-- The index is `(grid_code, id)`, so a page's ids come from an index-only scan and
-- only the rows of the page are read from the table; equality searches on
-- `grid_code` use it as before.

DROP INDEX persons_grid_code;
ALTER TABLE persons ALTER COLUMN grid_code TYPE TEXT COLLATE "C";
CREATE INDEX persons_grid_code ON persons (grid_code, id);

DROP INDEX houses_grid_code;
ALTER TABLE houses ALTER COLUMN grid_code TYPE TEXT COLLATE "C";
CREATE INDEX houses_grid_code ON houses (grid_code, id);

DROP INDEX entities_grid_code;
ALTER TABLE entities ALTER COLUMN grid_code TYPE TEXT COLLATE "C";
CREATE INDEX entities_grid_code ON entities (grid_code, id);
