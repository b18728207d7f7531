-- The source table `orders` (500 rows), dropped and created afresh on every run.
-- Works on MariaDB 10.2+ and MySQL 8.0+.
DROP TABLE IF EXISTS orders;

CREATE TABLE orders (
  id         BIGINT PRIMARY KEY,
  customer   VARCHAR(100) NOT NULL,
  amount     DECIMAL(12, 2) NOT NULL,
  currency   CHAR(3) NOT NULL,
  status     VARCHAR(20) NOT NULL,
  details    JSON,
  note       TEXT,
  ordered_at DATETIME(6) NOT NULL
) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;

INSERT INTO orders
WITH RECURSIVE seq (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 500)
SELECT n,
       CONCAT('customer-', LPAD(n % 37, 2, '0')),
       ROUND(MOD(n * 7.31, 500), 2),
       ELT(1 + n % 3, 'EUR', 'USD', 'PLN'),
       ELT(1 + n % 4, 'new', 'paid', 'shipped', 'cancelled'),
       JSON_OBJECT('items', 1 + n % 5, 'sku', CONCAT('SKU-', n % 50)),
       CASE WHEN n % 50 = 0 THEN 'gift wrap 🎁' WHEN n % 7 = 0 THEN '' END,
       TIMESTAMP('2026-01-01 00:00:00') + INTERVAL n MINUTE + INTERVAL n * 1001 MICROSECOND
FROM seq;
