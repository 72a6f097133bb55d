"""`python -m et_pipeline.cli`: the `et-pipeline` command without its installed script."""
import sys

from et_pipeline.cli import console_main

sys.exit(console_main())
