from feedback_api.demo.seed import seed_demo
from feedback_api.main import MIGRATIONS_DIR
from feedback_api.settings import Settings
from service_kit.cli import run_cli


def main() -> None:
    run_cli(
        prog="feedback-api",
        module="feedback_api",
        settings_factory=Settings,
        migrations_dir=MIGRATIONS_DIR,
        default_port=8003,
        seed_demo=seed_demo,
    )


if __name__ == "__main__":
    main()
