"""plans domain: inspection plans (检查计划), random draws (双随机) and the tasks they give."""
