-- Sample schema of the Portcullis demo (proxy/cli/demo): customers with PII columns the example
-- policies mask (email, card_number), orders to read and write, and an audit log.

CREATE TABLE public.customers (
  id          serial PRIMARY KEY,
  name        text NOT NULL,
  email       text NOT NULL,
  card_number text,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE public.orders (
  id          serial PRIMARY KEY,
  customer_id integer NOT NULL REFERENCES public.customers (id),
  amount      numeric(12, 2) NOT NULL CHECK (amount >= 0),
  status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid', 'shipped', 'refunded'))
);

CREATE TABLE public.audit_log (
  id     serial PRIMARY KEY,
  at     timestamptz NOT NULL DEFAULT now(),
  actor  text NOT NULL,
  action text NOT NULL
);

INSERT INTO public.customers (name, email, card_number, created_at) VALUES
  ('Ada Lovelace',     'ada@example.com',     '4111111111111111', '2024-01-15 09:30:00+00'),
  ('Alan Turing',      'alan@example.com',    '5500005555555559', '2024-02-01 14:05:00+00'),
  ('Grace Hopper',     'grace@example.com',   '340000000000009',  '2024-03-10 11:45:00+00'),
  ('Edsger Dijkstra',  'edsger@example.com',  NULL,               '2024-04-22 08:00:00+00'),
  ('Barbara Liskov',   'barbara@example.com', '6011000000000004', '2024-05-30 16:20:00+00');

INSERT INTO public.orders (customer_id, amount, status) VALUES
  (1, 120.00, 'paid'),
  (1,  35.50, 'shipped'),
  (2, 999.99, 'pending'),
  (3,  12.00, 'refunded'),
  (4,  78.25, 'paid'),
  (5, 450.00, 'pending');

INSERT INTO public.audit_log (at, actor, action) VALUES
  ('2024-06-01 10:00:00+00', 'admin', 'created demo data'),
  ('2024-06-01 10:05:00+00', 'admin', 'granted portcullis_gateway access');
