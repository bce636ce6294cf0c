//! Puts one open service order straight into a server's SQLite file, for
//! the console's dispatch test while the server has no HTTP intake of needs
//! yet (that arrives with the intake work; then the test should submit a
//! need instead). The order is what intake would create: opened by the
//! system, in the street's dispatch queue.
//!
//! ```text
//! seed-order --data-dir DIR --need-id 9001 --street 330303001 --category mediation [--overdue]
//! ```
//! `--overdue` gives it a deadline a second from now, as a deadline set at
//! filing that then passes: the server's background job, which looks at
//! the deadlines passed since its previous run, raises an "overdue" early
//! warning for it at its next run.
//! Prints the order id.

use chrono::Utc;
use lawcircle_core::catalogue::area::AreaLevel;
use lawcircle_core::orders::order::{Actor, NewOrder, Order, OrderEvent, OrderKind};
use lawcircle_e2e::cli_arg;
use lawcircle_server::store::Store;
use std::path::PathBuf;
use std::process::ExitCode;

async fn run() -> Result<String, String> {
    let args: Vec<String> = std::env::args().collect();
    let dir = PathBuf::from(cli_arg(&args, "--data-dir").ok_or("--data-dir is required")?);
    let need_id = cli_arg(&args, "--need-id").ok_or("--need-id is required")?;
    let street = cli_arg(&args, "--street").ok_or("--street is required")?;
    let category = cli_arg(&args, "--category").unwrap_or_else(|| "mediation".into());
    let store = Store::open_sqlite(&dir.join("lawcircle.sqlite"))
        .await
        .map_err(|e| e.to_string())?;
    let now = Utc::now();
    let mut order = Order::new(
        NewOrder {
            id: format!("O{need_id}"),
            need_id: need_id.clone(),
            requester_id: "0".into(),
            kind: OrderKind::Service,
            category,
            urgent: false,
            level: AreaLevel::Street,
            area_code: street.clone(),
            street_code: street,
        },
        now,
        Some(if args.iter().any(|a| a == "--overdue") {
            now + chrono::Duration::seconds(1)
        } else {
            now + chrono::Duration::days(1)
        }),
    );
    order
        .apply(OrderEvent::Open, Actor::system("test-seed"), now)
        .map_err(|e| e.to_string())?;
    store
        .insert_order(&order)
        .await
        .map_err(|e| e.to_string())?;
    store.close().await;
    Ok(order.id)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(id) => {
            println!("{id}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("seed-order: {e}");
            ExitCode::FAILURE
        }
    }
}
