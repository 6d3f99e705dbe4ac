from django.db import migrations


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("shop", "0006_build")]

    operations = [
        # An index the models do not declare: the lookups of Build.result are served by it.
        migrations.RunSQL(
            sql='CREATE INDEX CONCURRENTLY IF NOT EXISTS "build_result_idx" ON "shop_build" ("result", "repo_id") WHERE result <> \'\'',
            reverse_sql="DROP INDEX IF EXISTS build_result_idx",
        ),
        # An expression index does not serve the bare column.
        migrations.RunSQL("CREATE INDEX build_tier_upper ON shop_build (abs(tier))"),
    ]
