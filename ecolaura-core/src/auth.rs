//! The authorization policy: a pure function of who acts and what they do.
//!
//! Services call [`authorize`] before they touch a store, so the rules hold
//! for every host, not only the REST one. The decision never depends on I/O;
//! the caller passes the facts (such as an order's owner) in the [`Action`].

use crate::accounts::Role;
use crate::domain::UserId;

/// Who is acting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Actor {
    /// No credentials.
    Anonymous,
    /// A signed-in user.
    User {
        /// The user.
        id: UserId,
        /// Their role.
        role: Role,
    },
    /// The library itself (background jobs).
    System,
}

impl Actor {
    /// A signed-in customer.
    pub fn customer(id: UserId) -> Self {
        Actor::User {
            id,
            role: Role::Customer,
        }
    }

    /// A signed-in staff member.
    pub fn staff(id: UserId) -> Self {
        Actor::User {
            id,
            role: Role::Staff,
        }
    }

    /// The user id, if signed in.
    pub fn user_id(&self) -> Option<UserId> {
        match self {
            Actor::User { id, .. } => Some(*id),
            _ => None,
        }
    }

    /// Whether the actor sees and manages everything (staff or the system).
    pub fn is_privileged(&self) -> bool {
        matches!(
            self,
            Actor::User {
                role: Role::Staff,
                ..
            } | Actor::System
        )
    }
}

/// What the actor wants to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read categories and products.
    BrowseCatalog,
    /// Create, change or archive categories, products and metrics.
    ManageCatalog,
    /// Place an order.
    PlaceOrder,
    /// List orders (own for customers, all for staff).
    ListOrders,
    /// Read one order.
    ReadOrder {
        /// Who placed it.
        owner: UserId,
    },
    /// Cancel one order.
    CancelOrder {
        /// Who placed it.
        owner: UserId,
    },
    /// Move an order along the state machine (ship, deliver).
    SetOrderStatus {
        /// Who placed it.
        owner: UserId,
    },
    /// Read one's own account and sustainability summary.
    ReadOwnAccount,
    /// Read the job queue's health (depth, age, dead jobs): staff only.
    ReadQueueHealth,
}

/// Why an action is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AccessDenied {
    /// The action needs a signed-in user.
    #[error("authentication required")]
    Unauthenticated,
    /// Signed in, but not allowed.
    #[error("not allowed")]
    Forbidden,
    /// Someone else's resource: said to be missing, so its existence is not revealed.
    #[error("not found")]
    NotFound,
}

/// May `actor` do `action`?
///
/// ```
/// use ecolaura_core::auth::{authorize, AccessDenied, Action, Actor};
/// use ecolaura_core::domain::UserId;
/// let (alice, bob) = (UserId::new(), UserId::new());
/// assert_eq!(authorize(&Actor::customer(alice), Action::ReadOrder { owner: alice }), Ok(()));
/// assert_eq!(authorize(&Actor::customer(bob), Action::ReadOrder { owner: alice }), Err(AccessDenied::NotFound));
/// assert_eq!(authorize(&Actor::staff(bob), Action::ReadOrder { owner: alice }), Ok(()));
/// assert_eq!(authorize(&Actor::Anonymous, Action::PlaceOrder), Err(AccessDenied::Unauthenticated));
/// ```
pub fn authorize(actor: &Actor, action: Action) -> Result<(), AccessDenied> {
    use AccessDenied::*;
    if action == Action::BrowseCatalog {
        return Ok(());
    }
    let (me, role) = match *actor {
        Actor::Anonymous => return Err(Unauthenticated),
        Actor::System => return Ok(()),
        Actor::User { id, role } => (id, role),
    };
    let owns = |owner: UserId| owner == me;
    match (role, action) {
        (Role::Staff, _) => Ok(()),
        (
            Role::Customer,
            Action::BrowseCatalog
            | Action::PlaceOrder
            | Action::ListOrders
            | Action::ReadOwnAccount,
        ) => Ok(()),
        (Role::Customer, Action::ManageCatalog | Action::ReadQueueHealth) => Err(Forbidden),
        (Role::Customer, Action::ReadOrder { owner } | Action::CancelOrder { owner }) => {
            if owns(owner) { Ok(()) } else { Err(NotFound) }
        }
        (Role::Customer, Action::SetOrderStatus { owner }) => {
            Err(if owns(owner) { Forbidden } else { NotFound })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn customers_cannot_manage_the_catalog_or_move_orders() {
        let me = UserId::new();
        let c = Actor::customer(me);
        assert_eq!(
            authorize(&c, Action::ManageCatalog),
            Err(AccessDenied::Forbidden)
        );
        assert_eq!(
            authorize(&c, Action::SetOrderStatus { owner: me }),
            Err(AccessDenied::Forbidden)
        );
        assert_eq!(
            authorize(
                &c,
                Action::SetOrderStatus {
                    owner: UserId::new()
                }
            ),
            Err(AccessDenied::NotFound)
        );
        assert_eq!(
            authorize(&c, Action::ReadQueueHealth),
            Err(AccessDenied::Forbidden)
        );
        assert_eq!(
            authorize(&Actor::staff(me), Action::ReadQueueHealth),
            Ok(())
        );
        assert_eq!(authorize(&c, Action::CancelOrder { owner: me }), Ok(()));
        assert_eq!(
            authorize(
                &c,
                Action::CancelOrder {
                    owner: UserId::new()
                }
            ),
            Err(AccessDenied::NotFound)
        );
    }

    #[test]
    fn anyone_browses_nobody_anonymous_writes() {
        assert_eq!(authorize(&Actor::Anonymous, Action::BrowseCatalog), Ok(()));
        for a in [
            Action::ManageCatalog,
            Action::ListOrders,
            Action::ReadOwnAccount,
        ] {
            assert_eq!(
                authorize(&Actor::Anonymous, a),
                Err(AccessDenied::Unauthenticated)
            );
        }
        assert_eq!(
            authorize(&Actor::staff(UserId::new()), Action::ManageCatalog),
            Ok(())
        );
    }
}
