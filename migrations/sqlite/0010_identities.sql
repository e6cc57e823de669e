-- Sign-in through the district's identity provider (OpenID Connect): which account a
-- provider's subject signs in as. The first sign-in links by a configured claim (the
-- account's user name); later ones find the account by issuer and subject alone.
-- migrations/postgres/0010_identities.sql is the twin.
create table account_identities (
    issuer text not null,
    subject text not null,
    account_id integer not null references accounts (id) on delete cascade,
    -- The claim's value the link was made by, for the admins' page.
    linked_by text not null,
    linked_at bigint not null,
    last_used_at bigint not null,
    primary key (issuer, subject)
);
create index account_identities_account on account_identities (account_id);
