-- The warnings about one order (its call-backs page) read through an
-- index instead of every warning: the order a warning is about, written
-- with each insert, filled here for the warnings raised before.
ALTER TABLE warnings ADD COLUMN order_id TEXT;
UPDATE warnings SET order_id = json_extract(data, '$.subject.order_id')
 WHERE json_extract(data, '$.subject.type') = 'order';
CREATE INDEX warnings_by_order ON warnings (order_id) WHERE order_id IS NOT NULL;
