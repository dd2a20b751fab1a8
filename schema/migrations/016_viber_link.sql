-- v_orders gains viber_link: the link that opens a Viber chat with the buyer
-- (viber://chat?number=%2B380501234567), as Prom's order card offers it. The
-- buyer's phone is stored normalized (+ and digits); a phone that is not a
-- whole international number (E.164; +380 and 9 digits for Ukraine) gives ''.
-- The rule is people.ViberLink's; a test holds the two equal.
DROP TABLE IF EXISTS {db}.v_orders;

-- Current orders: one row per (marketplace, store, external_id); columns as in
-- orders, then viber_link.
CREATE VIEW IF NOT EXISTS {db}.v_orders AS
SELECT *,
    if(match(buyer_phone, '^\\+[1-9][0-9]{7,14}$') AND (NOT startsWith(buyer_phone, '+380') OR length(buyer_phone) = 13),
       concat('viber://chat?number=%2B', substring(buyer_phone, 2)), '') AS viber_link
FROM {db}.orders FINAL;
