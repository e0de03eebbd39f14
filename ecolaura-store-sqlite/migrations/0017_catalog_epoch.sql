-- A counter of the catalog writes that other processes must hear of: a
-- catalog import (`ecolaura catalog import`, a process of its own) moves
-- it at its commit, naming the store that made it. A running host polls
-- it and drops its cached reads when a store other than its own moved it.
-- (On Postgres, hosts hear of every write through NOTIFY instead.)
CREATE TABLE catalog_epoch (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    epoch  INTEGER NOT NULL,
    origin BLOB
);
INSERT INTO catalog_epoch (id, epoch, origin) VALUES (1, 0, NULL);
