from django.core.management.base import BaseCommand

from tracker import demo


class Command(BaseCommand):
    help = (
        "Load the seed plan (if missing) and the sample data: 凌源市's plans, and a sample plan "
        "of each other county-level unit of 朝阳市; print the demo accounts."
    )

    def handle(self, *args, **options):
        accounts = demo.load(next_plan=True)
        demo.close_settled_years()
        demo.publish_seed_plan()
        accounts += demo.load_region()
        self.stdout.write("示例账号 Demo accounts (sample data):")
        for username, password, role in accounts:
            self.stdout.write(f"  {username:<14} {password}   {role}")
