//! DAG files share settings and task factories through the repository's own
//! modules (Airflow puts the DAGs folder on `sys.path`). kfr runs those
//! modules as Python imports them, so constants and the tasks a factory
//! function builds are in the graph, located in the module's file.

use std::process::Command;

fn write(dir: &std::path::Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

#[test]
fn constants_and_task_factories_come_from_local_modules() {
    let tmp = tempfile::tempdir().unwrap();
    let dags = tmp.path().join("dags");
    write(&dags, "common/__init__.py", "");
    write(&dags, "common/settings.py", "OWNER = 'ml-platform'\nRETRIES = 2\n");
    write(
        &dags,
        "common/defaults.py",
        "from datetime import timedelta\nfrom common.settings import OWNER, RETRIES\n\n\
         DEFAULT_ARGS = {'owner': OWNER, 'retries': RETRIES, 'retry_delay': timedelta(minutes=5)}\n\
         TABLES = ['orders', 'users']\nSCHEDULE = '0 3 * * *'\n\n\
         def make_tasks(dag, names):\n\
         \x20   from airflow.providers.standard.operators.bash import BashOperator\n\
         \x20   return [BashOperator(task_id=n, bash_command='python x.py', dag=dag, retries=0) for n in names]\n",
    );
    write(
        &dags,
        "team/etl.py",
        "from datetime import datetime\n\
         from airflow.providers.standard.operators.bash import BashOperator\n\
         from airflow.sdk import DAG\n\
         from common.defaults import DEFAULT_ARGS, TABLES, SCHEDULE, make_tasks\n\
         import common.defaults as d\n\n\
         with DAG('etl_local', schedule=SCHEDULE, start_date=datetime(2024, 1, 1), default_args=DEFAULT_ARGS) as dag:\n\
         \x20   for t in TABLES:\n\
         \x20       BashOperator(task_id=f'load_{t}', bash_command='echo', retries=d.DEFAULT_ARGS['retries'] + 1)\n\
         \x20   BashOperator(task_id='report', bash_command='echo')\n\
         \x20   extra = make_tasks(dag, ['x', 'y'])\n",
    );
    let out = Command::new(env!("CARGO_BIN_EXE_kfr"))
        .args(["graph", "dags"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let g: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(g["pipelines"][0]["name"], "etl_local");
    assert_eq!(g["pipelines"][0]["schedule"], "0 3 * * *");
    let steps: Vec<(String, u64)> = g["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap().to_string(), s["retries"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        steps,
        vec![
            ("load_orders".into(), 3),
            ("load_users".into(), 3),
            ("report".into(), 2),
            ("x".into(), 0),
            ("y".into(), 0)
        ]
    );
    assert_eq!(g["steps"][3]["file"], "dags/common/defaults.py");
    assert_eq!(g["steps"][2]["retry_delay"], "timedelta(minutes=5)");
    // the helper modules are no DAG files themselves; what the factory builds
    // is reported where it is built
    let out = Command::new(env!("CARGO_BIN_EXE_kfr"))
        .args(["lint", "dags", "--format", "concise"])
        .current_dir(tmp.path())
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text,
        "dags/common/defaults.py:10:82: warning[KFR001] task `x` is set to `retries=0`\n\
         dags/common/defaults.py:10:82: warning[KFR001] task `y` is set to `retries=0`\n\
         Found 2 problems (2 warnings) in 1 file.\n"
    );
}
