//! The store conformance suite: the contract of every storage port, written
//! once as async test functions, run against every adapter.
//!
//! An adapter's test file invokes [`store_conformance!`](crate::store_conformance)
//! with an async function that makes a fresh, empty store and a guard that
//! cleans it up when dropped, or `None` when the backend is not there (the
//! function says so loudly; a CI run should fail instead). The macro expands
//! to one `#[tokio::test]` per case:
//!
//! ```ignore
//! async fn fresh() -> Option<(std::sync::Arc<dyn ecolaura_core::Store>, ())> {
//!     Some((std::sync::Arc::new(ecolaura_core::memory::MemoryStore::new()), ()))
//! }
//! ecolaura_core::store_conformance!(fresh);
//! ```
//!
//! Every case passes instants explicitly, so none depends on the wall clock,
//! and every case asserts what a user of the store would check.

pub mod accounts;
pub mod catalog;
pub mod claims;
pub mod counts;
pub mod crash;
pub mod cursors;
pub mod discards;
pub mod fixtures;
pub mod footprint;
pub mod imports;
pub mod jobs;
pub mod mail;
pub mod orders;
pub mod passport;
pub mod scenarios;
pub mod scores;
pub mod search;
pub mod sessions;
pub mod shipping;

/// Expand to one `#[tokio::test]` per conformance case, each on a fresh store
/// from `$fresh` (an async fn returning `Option<(Arc<dyn Store>, guard)>`;
/// `None` skips the case).
#[macro_export]
macro_rules! store_conformance {
    ($fresh:path) => {
        $crate::store_conformance!(@cases $fresh;
            catalog::a_category_slug_is_unique,
            catalog::categories_are_listed_by_slug_in_pages,
            catalog::a_product_reads_back_exactly_as_written,
            catalog::a_product_in_an_unknown_category_is_refused,
            catalog::an_archived_product_is_gone_from_every_read,
            catalog::an_update_replaces_every_field_and_moves_the_version,
            catalog::of_two_updates_from_one_read_one_is_stale,
            catalog::get_products_returns_only_live_ones,
            catalog::filters_follow_the_documented_rules,
            catalog::orderings_sort_as_documented_with_ties_by_id,
            catalog::pagination_counts_every_match,
            catalog::identifiers_read_back_and_are_unique_among_live_products,
            search::search_finds_exactly_the_substring_matches,
            search::search_reads_name_and_description_apart,
            counts::list_counts_follow_every_write,
            cursors::cursor_walks_read_the_whole_list_both_ways,
            cursors::a_cursor_walk_under_concurrent_writes_never_repeats_or_skips,
            cursors::order_cursor_walks_read_each_list_both_ways,
            imports::an_import_reads_live_products_by_sku_gtin_and_category,
            imports::an_import_lands_all_at_once_at_its_commit,
            imports::an_import_dropped_without_commit_writes_nothing,
            imports::an_import_that_takes_a_live_sku_writes_nothing,
            imports::an_import_and_a_concurrent_update_never_both_land,
            imports::a_dry_run_locks_nothing_and_writes_nothing,
            footprint::a_footprint_record_reads_back_and_changes_with_its_product,
            footprint::a_footprint_write_from_a_stale_read_writes_nothing,
            discards::a_categorys_ban_reads_back_and_changes,
            discards::a_discard_takes_stock_and_reads_back,
            discards::a_discard_that_cannot_be_served_writes_nothing,
            discards::concurrent_discards_and_orders_never_take_stock_below_zero,
            discards::a_years_entries_are_summed_by_kind,
            discards::prevention_measures_are_set_per_year,
            passport::a_composition_reads_back_and_changes_with_its_product,
            claims::claims_read_back_and_move_their_products_version,
            claims::expiring_claims_are_listed_soonest_first,
            scores::every_new_score_is_kept_in_the_history_once,
            scores::score_policies_are_published_once_per_version_with_their_job,
            scores::concurrent_publications_of_one_version_land_once,
            scores::a_rescoring_batch_writes_what_it_read_and_moves_its_cursor,
            scores::products_are_found_by_their_claims_dates,
            orders::placing_takes_stock_stores_the_order_and_enqueues_its_jobs,
            orders::an_order_reads_back_in_the_currency_it_was_placed_in,
            orders::placing_for_more_than_the_stock_takes_nothing,
            orders::placing_an_archived_or_missing_product_takes_nothing,
            orders::taking_stock_makes_an_earlier_read_stale,
            orders::concurrent_placements_never_oversell,
            orders::concurrent_multi_line_placements_are_all_or_nothing,
            orders::a_repeated_key_replays_the_first_outcome,
            orders::concurrent_placements_with_one_key_make_one_order,
            orders::a_rejection_is_recorded_under_its_key,
            orders::an_invalid_request_is_recorded_under_its_key,
            orders::an_expired_key_can_be_used_again,
            orders::save_outcome_records_once_per_live_key,
            orders::cancelling_gives_the_stock_back_with_the_status_change,
            orders::concurrent_cancellations_give_the_stock_back_once,
            orders::a_status_change_enqueues_its_jobs,
            orders::orders_are_listed_newest_first_per_owner,
            orders::confirming_moves_a_pending_order_once_with_its_jobs,
            orders::the_first_confirmation_time_stays,
            orders::the_summary_counts_orders_that_are_not_cancelled,
            orders::the_summary_of_the_largest_footprints_neither_fails_nor_wraps,
            shipping::shipping_methods_read_back_and_codes_are_unique,
            shipping::a_shipping_change_sets_only_its_fields,
            shipping::an_order_keeps_its_shipping_as_it_was,
            shipping::the_summary_counts_shipping_emissions,
            accounts::an_email_is_registered_once,
            accounts::concurrent_registrations_with_one_email_make_one_user,
            accounts::a_user_reads_back_by_email_and_id,
            sessions::a_session_reads_back_as_written,
            sessions::a_refresh_token_is_spent_once,
            sessions::concurrent_refreshes_with_one_token_rotate_once,
            sessions::an_expired_session_does_not_rotate,
            sessions::revoking_a_users_sessions_spares_the_kept_one_and_other_users,
            sessions::a_password_change_ends_the_other_sessions,
            sessions::a_reset_token_is_redeemed_once_before_it_expires,
            sessions::concurrent_redemptions_of_one_reset_token_succeed_once,
            sessions::purging_sessions_keeps_the_live_ones,
            sessions::a_rename_changes_only_the_name,
            sessions::login_failures_are_counted_per_key_within_the_window,
            jobs::a_claimed_job_is_not_claimed_again_while_leased,
            jobs::a_job_whose_lease_expired_is_rescued_and_runs_again_once,
            jobs::a_rescued_job_on_its_last_attempt_is_dead,
            jobs::a_heartbeat_keeps_a_running_job_from_being_rescued,
            jobs::a_batch_completion_marks_every_held_job_and_names_the_lost_ones,
            jobs::a_backlog_of_one_kind_does_not_hold_another_back,
            jobs::purging_goes_in_bounded_batches,
            jobs::queue_stats_show_depth_by_kind_and_the_oldest_ready_job,
            jobs::a_backlog_queued_before_start_is_all_run_once,
            jobs::a_failed_job_waits_for_its_retry_time,
            jobs::a_job_that_keeps_failing_ends_dead,
            jobs::a_job_is_not_claimed_before_its_run_at,
            jobs::jobs_are_claimed_earliest_first,
            jobs::a_batch_claim_takes_the_earliest_due_jobs_up_to_its_limit,
            jobs::concurrent_claims_take_each_job_once,
            jobs::a_finished_job_cannot_be_finished_again,
            jobs::an_enqueue_wakes_a_waiting_worker,
            jobs::purging_removes_only_old_done_jobs,
            mail::an_email_is_sent_once_per_key,
            mail::a_message_for_delivery_gets_one_delivery_job,
            mail::a_delivery_is_recorded_once,
        );
    };
    (@cases $fresh:path; $($module:ident :: $case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                let Some((store, _guard)) = $fresh().await else { return };
                $crate::conformance::$module::$case(store).await;
            }
        )*
    };
}
