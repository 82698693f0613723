-- A plan's one currency (issue 12): its budgets, costs and spending are in
-- it. FCFA (XOF) for every plan so far; a results framework in dollars stays
-- in dollars, and totals over several plans never add two currencies.
ALTER TABLE plans ADD COLUMN currency TEXT NOT NULL DEFAULT 'XOF'
    CHECK (currency IN ('XOF', 'USD', 'EUR'));
