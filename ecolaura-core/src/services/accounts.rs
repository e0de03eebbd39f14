//! The accounts service: registration, login, profile.

use std::sync::Arc;

use crate::accounts::{NewAccount, Password, PasswordHasher, Role, User};
use crate::auth::{AccessDenied, Action, Actor, authorize};
use crate::domain::{Email, UserId};
use crate::ports::{AccountStore, Clock};

use super::AccountError;

/// Registration, authentication and profiles.
#[derive(Clone)]
pub struct Accounts {
    store: Arc<dyn AccountStore>,
    hasher: PasswordHasher,
    clock: Arc<dyn Clock>,
}

impl Accounts {
    /// Wire the service.
    pub fn new(
        store: Arc<dyn AccountStore>,
        hasher: PasswordHasher,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            store,
            hasher,
            clock,
        }
    }

    /// Make an account. Anyone may register a customer; only staff (or the
    /// system, e.g. the `users add` command) may make a staff account.
    ///
    /// # Errors
    /// [`AccountError::EmailTaken`] when the address is in use (case-insensitively).
    pub async fn register(&self, actor: &Actor, new: NewAccount) -> Result<User, AccountError> {
        if new.role == Role::Staff && !actor.is_privileged() {
            return Err(match actor {
                Actor::Anonymous => AccessDenied::Unauthenticated,
                _ => AccessDenied::Forbidden,
            }
            .into());
        }
        let user = User {
            id: UserId::new(),
            password_hash: self.hasher.hash(&new.password).await?,
            email: new.email,
            name: new.name,
            role: new.role,
            created_at: self.clock.now(),
        };
        self.store.insert_user(&user).await?;
        tracing::info!(user_id = %user.id, role = %user.role, "account registered");
        Ok(user)
    }

    /// The user with this address and password.
    ///
    /// Takes as long for an unknown address as for a wrong password, so the
    /// answer does not reveal which addresses have accounts.
    ///
    /// # Errors
    /// [`AccountError::InvalidCredentials`] for an unknown address or a wrong password,
    /// [`AccountError::Hashing`] with [`HashingError::Busy`](crate::accounts::HashingError::Busy)
    /// when too many passwords are being checked at once.
    pub async fn authenticate(
        &self,
        email: &Email,
        password: &Password,
    ) -> Result<User, AccountError> {
        match self.store.find_user_by_email(email).await? {
            Some(user) => {
                if self.hasher.verify(password, &user.password_hash).await? {
                    Ok(user)
                } else {
                    Err(AccountError::InvalidCredentials)
                }
            }
            None => {
                self.hasher.verify_decoy(password).await?;
                Err(AccountError::InvalidCredentials)
            }
        }
    }

    /// The signed-in user's own account.
    ///
    /// # Errors
    /// [`AccountError::Denied`] when anonymous, [`AccountError::NotFound`]
    /// when the account no longer exists.
    pub async fn me(&self, actor: &Actor) -> Result<User, AccountError> {
        authorize(actor, Action::ReadOwnAccount)?;
        let id = actor.user_id().ok_or(AccountError::NotFound)?;
        self.user(id).await
    }

    /// Any user by id (for hosts resolving a token's subject, and jobs).
    pub async fn user(&self, id: UserId) -> Result<User, AccountError> {
        self.store.get_user(id).await?.ok_or(AccountError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PersonName;
    use crate::memory::ManualClock;
    use crate::ports::{MockAccountStore, StoreError, UniqueField};

    fn new_account(role: Role) -> NewAccount {
        NewAccount {
            email: Email::parse("ada@example.com").unwrap(),
            password: Password::new("correct horse").unwrap(),
            name: PersonName::parse("Ada").unwrap(),
            role,
        }
    }

    fn service(store: MockAccountStore) -> Accounts {
        Accounts::new(
            Arc::new(store),
            PasswordHasher::fast_insecure(),
            Arc::new(ManualClock::default()),
        )
    }

    #[tokio::test]
    async fn registering_stores_a_hash_never_the_password() {
        let mut store = MockAccountStore::new();
        store
            .expect_insert_user()
            .withf(|u| {
                u.password_hash.as_phc().starts_with("$argon2id$")
                    && !u.password_hash.as_phc().contains("horse")
            })
            .times(1)
            .returning(|_| Ok(()));
        let user = service(store)
            .register(&Actor::Anonymous, new_account(Role::Customer))
            .await
            .unwrap();
        assert_eq!(user.role, Role::Customer);
    }

    #[tokio::test]
    async fn a_taken_email_is_reported_as_such() {
        let mut store = MockAccountStore::new();
        store
            .expect_insert_user()
            .returning(|_| Err(StoreError::Duplicate(UniqueField::UserEmail)));
        let err = service(store)
            .register(&Actor::Anonymous, new_account(Role::Customer))
            .await
            .unwrap_err();
        assert!(matches!(err, AccountError::EmailTaken));
    }

    #[tokio::test]
    async fn only_staff_or_the_system_make_staff() {
        let mut store = MockAccountStore::new();
        store.expect_insert_user().times(1).returning(|_| Ok(()));
        let s = service(store);
        let anon = s
            .register(&Actor::Anonymous, new_account(Role::Staff))
            .await
            .unwrap_err();
        assert!(matches!(
            anon,
            AccountError::Denied(AccessDenied::Unauthenticated)
        ));
        let customer = s
            .register(&Actor::customer(UserId::new()), new_account(Role::Staff))
            .await
            .unwrap_err();
        assert!(matches!(
            customer,
            AccountError::Denied(AccessDenied::Forbidden)
        ));
        assert!(
            s.register(&Actor::System, new_account(Role::Staff))
                .await
                .is_ok()
        );
    }

    #[tokio::test]
    async fn unknown_address_and_wrong_password_look_the_same() {
        let hasher = PasswordHasher::fast_insecure();
        let hash = hasher
            .hash(&Password::new("correct horse").unwrap())
            .await
            .unwrap();
        let mut store = MockAccountStore::new();
        store.expect_find_user_by_email().returning(move |email| {
            Ok((email.as_str() == "ada@example.com").then(|| User {
                id: UserId::new(),
                email: email.clone(),
                name: PersonName::parse("Ada").unwrap(),
                role: Role::Customer,
                password_hash: hash.clone(),
                created_at: chrono::Utc::now(),
            }))
        });
        let s = service(store);
        let good = Password::for_login("correct horse").unwrap();
        let bad = Password::for_login("wrong").unwrap();
        assert!(
            s.authenticate(&Email::parse("ADA@example.com").unwrap(), &good)
                .await
                .is_ok()
        );
        let wrong_pw = s
            .authenticate(&Email::parse("ada@example.com").unwrap(), &bad)
            .await
            .unwrap_err();
        let no_user = s
            .authenticate(&Email::parse("bob@example.com").unwrap(), &good)
            .await
            .unwrap_err();
        assert!(matches!(wrong_pw, AccountError::InvalidCredentials));
        assert!(matches!(no_user, AccountError::InvalidCredentials));
    }
}
