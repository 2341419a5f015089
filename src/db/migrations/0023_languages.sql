-- Languages (issue 22). An event has the language its mails and public page default to; an order
-- keeps the language it was bought in, so every mail about it (paid, refunded, a place held from
-- the waitlist, a ticket sent on) reads in the buyer's language; a place in the waitlist keeps its
-- person's, for the offer it turns into. A language is a lowercase ISO 639
-- code; which ones Velvet speaks is the code's list (src/i18n/locales.ts), so adding one needs no
-- migration. An order without one (placed through the API without saying) uses its event's.
ALTER TABLE events ADD COLUMN locale text NOT NULL DEFAULT 'en' CHECK (locale ~ '^[a-z]{2,3}$');
--> statement-breakpoint
ALTER TABLE orders ADD COLUMN locale text CHECK (locale ~ '^[a-z]{2,3}$');
--> statement-breakpoint
ALTER TABLE waitlist_entries ADD COLUMN locale text CHECK (locale ~ '^[a-z]{2,3}$');
